import { principalOf } from "../../middleware/auth.ts";
import * as uploads from "../../services/media/uploads.ts";
import { acceptQuote } from "../../services/negotiation/accept.ts";
import * as quotes from "../../services/negotiation/quotes.ts";
import * as rfqs from "../../services/negotiation/rfqs.ts";
import type { AppRouteHandler } from "../../types.ts";
import { serviceContext } from "../context.ts";
import type * as routes from "./negotiation.routes.ts";

export const createRfqHandler: AppRouteHandler<typeof routes.createRfq> = async (c) => {
  const rfq = await rfqs.createRfq(
    serviceContext(c),
    principalOf(c),
    c.req.valid("param").orgId,
    c.req.valid("json"),
  );
  return c.json({ ...rfq, quotes: [] }, 201);
};

export const listRfqsHandler: AppRouteHandler<typeof routes.listRfqs> = async (c) => {
  const query = c.req.valid("query");
  const page = await rfqs.listRfqs(serviceContext(c), principalOf(c), c.req.valid("param").orgId, {
    ...query,
    limit: query.limit ?? 20,
  });
  return c.json(page, 200);
};

export const getRfqHandler: AppRouteHandler<typeof routes.getRfq> = async (c) => {
  const { orgId, rfqId } = c.req.valid("param");
  return c.json(await rfqs.getRfq(serviceContext(c), principalOf(c), orgId, rfqId), 200);
};

export const transitionRfqHandler: AppRouteHandler<typeof routes.transitionRfq> = async (c) => {
  const { orgId, rfqId } = c.req.valid("param");
  const rfq = await rfqs.transitionRfq(
    serviceContext(c),
    principalOf(c),
    orgId,
    rfqId,
    c.req.valid("json").action,
  );
  return c.json(rfq, 200);
};

export const createQuoteHandler: AppRouteHandler<typeof routes.createQuote> = async (c) => {
  const { orgId, rfqId } = c.req.valid("param");
  const quote = await quotes.createQuote(
    serviceContext(c),
    principalOf(c),
    orgId,
    rfqId,
    c.req.valid("json"),
  );
  return c.json(quote, 201);
};

export const listQuotesHandler: AppRouteHandler<typeof routes.listQuotes> = async (c) => {
  const query = c.req.valid("query");
  const page = await quotes.listQuotes(serviceContext(c), principalOf(c), c.req.valid("param").orgId, {
    ...query,
    limit: query.limit ?? 20,
  });
  return c.json(page, 200);
};

export const getQuoteHandler: AppRouteHandler<typeof routes.getQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  return c.json(await quotes.getQuote(serviceContext(c), principalOf(c), orgId, quoteId), 200);
};

export const reviseQuoteHandler: AppRouteHandler<typeof routes.reviseQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  const quote = await quotes.moveQuote(
    serviceContext(c),
    principalOf(c),
    orgId,
    quoteId,
    "revise",
    c.req.valid("json"),
  );
  return c.json(quote, 201);
};

export const counterQuoteHandler: AppRouteHandler<typeof routes.counterQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  const quote = await quotes.moveQuote(
    serviceContext(c),
    principalOf(c),
    orgId,
    quoteId,
    "counter",
    c.req.valid("json"),
  );
  return c.json(quote, 201);
};

export const declineQuoteHandler: AppRouteHandler<typeof routes.declineQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  return c.json(await quotes.moveQuote(serviceContext(c), principalOf(c), orgId, quoteId, "decline"), 200);
};

export const withdrawQuoteHandler: AppRouteHandler<typeof routes.withdrawQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  return c.json(await quotes.moveQuote(serviceContext(c), principalOf(c), orgId, quoteId, "withdraw"), 200);
};

export const acceptQuoteHandler: AppRouteHandler<typeof routes.acceptQuote> = async (c) => {
  const { orgId, quoteId } = c.req.valid("param");
  const { version, ...body } = c.req.valid("json");
  const result = await acceptQuote(
    serviceContext(c),
    principalOf(c),
    orgId,
    quoteId,
    version,
    c.req.valid("header")["idempotency-key"],
    body,
    {
      approvalHoldHours: c.var.config.APPROVAL_HOLD_HOURS,
      orderAcceptHours: c.var.config.ORDER_ACCEPT_HOURS,
    },
  );
  if (result.replayed) c.header("Idempotent-Replayed", "true");
  c.header("Cache-Control", "no-store");
  return c.json(result.body, 201);
};

export const createNegotiationUploadHandler: AppRouteHandler<typeof routes.createNegotiationUpload> = async (
  c,
) => {
  const upload = await uploads.createUpload(
    serviceContext(c),
    c.var.config,
    principalOf(c),
    c.req.valid("param").orgId,
    c.req.valid("json"),
    "negotiation:files",
  );
  c.header("Cache-Control", "no-store");
  return c.json(upload, 201);
};

export const completeNegotiationUploadHandler: AppRouteHandler<
  typeof routes.completeNegotiationUpload
> = async (c) => {
  const { orgId, uploadId } = c.req.valid("param");
  const file = await uploads.completeUpload(
    serviceContext(c),
    c.env.FILES,
    principalOf(c),
    orgId,
    uploadId,
    "negotiation:files",
  );
  return c.json(file, 200);
};

export const rfqAttachmentUrlHandler: AppRouteHandler<typeof routes.rfqAttachmentUrl> = async (c) => {
  const { orgId, rfqId, fileId } = c.req.valid("param");
  c.header("Cache-Control", "no-store");
  return c.json(
    await rfqs.rfqAttachmentUrl(serviceContext(c), c.var.config, principalOf(c), orgId, rfqId, fileId),
    200,
  );
};
