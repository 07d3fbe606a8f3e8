DROP INDEX "quotes_seller_idx";--> statement-breakpoint
CREATE INDEX "quotes_buyer_idx" ON "quotes" USING btree ("buyer_org_id","created_at" DESC NULLS LAST,"id");--> statement-breakpoint
CREATE INDEX "quotes_order_group_idx" ON "quotes" USING btree ("order_group_id") WHERE order_group_id is not null;--> statement-breakpoint
CREATE INDEX "quotes_seller_idx" ON "quotes" USING btree ("seller_org_id","created_at" DESC NULLS LAST,"id");