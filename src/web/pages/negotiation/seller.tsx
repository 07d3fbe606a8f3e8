/**
 * The seller console's requests for quotes: those addressed to the organisation and the open ones of its
 * categories (status filter, keyset pages), and one RFQ (never the buyer's internal notes: the service
 * leaves them out) with the quote form, or the organisation's quote with its versions, a revision form
 * and withdraw.
 */
import { Hono } from "hono";
import { ApiError } from "../../../lib/problem.ts";
import { serviceContext } from "../../../routes/context.ts";
import { uuidParam } from "../../../routes/schemas.ts";
import { createQuote, getQuote, moveQuote } from "../../../services/negotiation/quotes.ts";
import { getRfq } from "../../../services/negotiation/rfqs.ts";
import type { AppEnv } from "../../../types.ts";
import { redirectWith, type UserPrincipal, type WebContext } from "../../context.ts";
import { attempt, type Form, intField, readForm } from "../../forms.ts";
import { sellerActor, sellerPage } from "../seller/shared.tsx";
import { sellerRfqList } from "./seller-list.tsx";
import { type Actor, renderSellerRfq, type SellerRfq } from "./seller-view.tsx";
import type { Problem, ProblemStatus } from "./shared.tsx";
import { readNextVersionForm, readQuoteForm } from "./version-values.ts";

export const sellerRfqPages = new Hono<AppEnv>().route("/", sellerRfqList);

const rfqIdParam = uuidParam("rfqId");
const quoteIdParam = uuidParam("quoteId");

/** The RFQ with the organisation's own quote, if any, and its versions: one statement. */
async function readSellerRfq(
  c: WebContext,
  principal: UserPrincipal,
  orgId: string,
  rfqId: string,
): Promise<SellerRfq> {
  const ctx = serviceContext(c);
  const rfq = await getRfq(ctx, principal, orgId, rfqId);
  const quote = rfq.quotes.find((q) => q.seller.id === orgId);
  return { rfq, quote };
}

function idOf(c: WebContext, param: typeof rfqIdParam, name: string, what: string): string {
  const id = param.safeParse(c.req.param(name));
  if (!id.success) throw new ApiError("not_found", `${what} not found.`);
  return id.data;
}

sellerRfqPages.get("/seller/rfqs/:rfqId", async (c) => {
  const rfqId = idOf(c, rfqIdParam, "rfqId", "Request for quotes");
  const loaded = await sellerPage(c, (principal, orgId) => readSellerRfq(c, principal, orgId, rfqId));
  if (loaded instanceof Response) return loaded;
  return renderSellerRfq(c, loaded, loaded.data);
});

async function again(
  c: WebContext,
  actor: Actor,
  rfqId: string,
  posted: Form,
  problem: Problem,
  status: ProblemStatus,
) {
  const data = await readSellerRfq(c, actor.principal, actor.org.orgId, rfqId);
  return renderSellerRfq(c, actor, data, { posted, problem }, status);
}

sellerRfqPages.post("/seller/rfqs/:rfqId/quotes", async (c) => {
  const rfqId = idOf(c, rfqIdParam, "rfqId", "Request for quotes");
  const posted = await readForm(c);
  const actor = await sellerActor(c);
  if (actor instanceof Response) return actor;
  const { body, errors } = readQuoteForm(posted, (posted.get("currency") ?? "EUR").trim());
  if (!body) return again(c, actor, rfqId, posted, { errors }, 422);
  const done = await attempt(
    () => createQuote(serviceContext(c), actor.principal, actor.org.orgId, rfqId, body),
    (p) => {
      if (p.status === 404) throw new ApiError("not_found", p.message);
      return again(
        c,
        actor,
        rfqId,
        posted,
        { message: p.message, errors: p.errors },
        p.status as ProblemStatus,
      );
    },
  );
  if (done instanceof Response) return done;
  return redirectWith(c, `/seller/rfqs/${rfqId}`, "quote-sent");
});

for (const action of ["revise", "withdraw"] as const) {
  sellerRfqPages.post(`/seller/quotes/:quoteId/${action}`, async (c) => {
    const quoteId = idOf(c, quoteIdParam, "quoteId", "Quote");
    const posted = await readForm(c);
    const actor = await sellerActor(c);
    if (actor instanceof Response) return actor;
    const ctx = serviceContext(c);
    const fail = async (problem: Problem, status: ProblemStatus) => {
      const quote = await getQuote(ctx, actor.principal, actor.org.orgId, quoteId);
      return again(c, actor, quote.rfqId, posted, problem, status);
    };
    let version: ReturnType<typeof readNextVersionForm>["body"];
    if (action === "revise") {
      const read = readNextVersionForm(
        posted,
        (posted.get("currency") ?? "EUR").trim(),
        intField(posted, "basedOnVersion") ?? 0,
      );
      if (!read.body) return fail({ errors: read.errors }, 422);
      version = read.body;
    }
    const done = await attempt(
      () =>
        moveQuote(
          ctx,
          actor.principal,
          actor.org.orgId,
          quoteId,
          action,
          version as Parameters<typeof moveQuote>[5],
        ),
      (p) => {
        if (p.status === 404) throw new ApiError("not_found", p.message);
        return fail({ message: p.message, errors: p.errors }, p.status as ProblemStatus);
      },
    );
    if (done instanceof Response) return done;
    return redirectWith(
      c,
      `/seller/rfqs/${done.rfqId}`,
      action === "revise" ? "quote-revised" : "quote-withdrawn",
    );
  });
}
