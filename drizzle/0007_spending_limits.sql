ALTER TABLE "spending_limits" RENAME COLUMN "limit_minor" TO "per_order_minor";--> statement-breakpoint
ALTER TABLE "spending_limits" DROP CONSTRAINT "spending_limits_org_id_user_id_pk";--> statement-breakpoint
ALTER TABLE "spending_limits" ALTER COLUMN "user_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "order_groups" ADD COLUMN "placed_by_key_id" uuid;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD COLUMN "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD COLUMN "per_month_minor" bigint;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD COLUMN "updated_by" uuid;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "order_groups" ADD CONSTRAINT "order_groups_placed_by_key_id_api_keys_id_fk" FOREIGN KEY ("placed_by_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD CONSTRAINT "spending_limits_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spending_limits" ADD CONSTRAINT "spending_limits_subject_currency_key" UNIQUE NULLS NOT DISTINCT("org_id","user_id","currency");--> statement-breakpoint
ALTER TABLE "spending_limits" ADD CONSTRAINT "spending_limits_amounts" CHECK (("spending_limits"."per_order_minor" is not null or "spending_limits"."per_month_minor" is not null) and "spending_limits"."per_order_minor" >= 0 and "spending_limits"."per_month_minor" >= 0);--> statement-breakpoint
-- By hand: drizzle-kit renamed limit_minor but kept its NOT NULL; a limit may now be per month only.
ALTER TABLE "spending_limits" ALTER COLUMN "per_order_minor" DROP NOT NULL;
