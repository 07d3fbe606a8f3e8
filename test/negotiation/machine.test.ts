/**
 * The quote and RFQ machines, state × action × side, checked against their own tables through the API:
 * allowed moves land in the target state (an immediate repeat of an ending action is a no-op); every
 * other move is a 409 naming the current state and exactly the actions the machine allows that side.
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { QuoteWithVersions, RfqWithQuotes } from "../../src/contracts/negotiation.ts";
import worker from "../../src/index.ts";
import {
  allowedQuoteActions,
  allowedRfqActions,
  type QuoteStatus,
  quoteMachine,
  rfqMachine,
  userRfqActions,
} from "../../src/services/negotiation/machine.ts";
import { problem } from "../support/app.ts";
import { sql } from "../support/db.ts";
import { api, json } from "../support/identity.ts";
import { accept, createRfq, quoteBody, rfqBody, sendQuote } from "../support/negotiation.ts";
import { type Buyer, newBuyer, newSeller } from "../support/orders.ts";

type Seller = Awaited<ReturnType<typeof newSeller>>;
type Party = Buyer | Seller;
const item = [{ title: "Machined bracket", quantity: 10, unitPriceMinor: 1200 }];

/** The quote actions people fire, each through its own route. */
const quoteActions = ["revise", "counter", "accept", "decline", "withdraw"] as const;

async function quoteOf(party: Party, quoteId: string) {
  return json<QuoteWithVersions>(
    await api(`/v1/orgs/${party.orgId}/quotes/${quoteId}`, { token: party.owner.token }),
  );
}

function fire(party: Party, quoteId: string, action: (typeof quoteActions)[number], basedOnVersion: number) {
  const token = party.owner.token;
  const base = `/v1/orgs/${party.orgId}/quotes/${quoteId}`;
  switch (action) {
    case "revise":
      return api(`${base}/revisions`, { token, body: { ...quoteBody(item), basedOnVersion } });
    case "counter":
      return api(`${base}/counters`, { token, body: { ...quoteBody(item), basedOnVersion } });
    case "accept":
      return accept(party as Buyer, quoteId, basedOnVersion);
    default:
      return api(`${base}/${action}`, { method: "POST", token });
  }
}

/** A new quote driven into `state`. */
async function quoteIn(state: QuoteStatus, buyer: Buyer, seller: Seller) {
  const rfq = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
  const quote = await sendQuote(seller, rfq.id, quoteBody(item));
  const steps: Record<QuoteStatus, () => Promise<Response | undefined>> = {
    sent: async () => undefined,
    countered: () => fire(buyer, quote.id, "counter", 1),
    accepted: () => fire(buyer, quote.id, "accept", 1),
    declined: () => fire(buyer, quote.id, "decline", 1),
    withdrawn: () => fire(seller, quote.id, "withdraw", 1),
    closed: () =>
      api(`/v1/orgs/${buyer.orgId}/rfqs/${rfq.id}/transitions`, {
        token: buyer.owner.token,
        body: { action: "close" },
      }),
    expired: async () => {
      await sql().query("update quotes set expires_at = now() - interval '1 second' where id = $1", [
        quote.id,
      ]);
      await worker.scheduled(
        createScheduledController({ scheduledTime: Date.now(), cron: "17 * * * *" }),
        env,
      );
      return undefined;
    },
  };
  const res = await steps[state]();
  if (res && res.status >= 300) throw new Error(`driving to ${state}: ${res.status} ${await res.text()}`);
  await res?.body?.cancel();
  const now = await quoteOf(buyer, quote.id);
  if (now.status !== state) throw new Error(`drove to ${now.status}, not ${state}`);
  return now;
}

const states = Object.keys({
  sent: 1,
  countered: 1,
  accepted: 1,
  declined: 1,
  withdrawn: 1,
  closed: 1,
  expired: 1,
} satisfies Record<QuoteStatus, 1>) as QuoteStatus[];

describe("the quote machine: every action, by every side, from every state", () => {
  it.each(states)("from %s", async (state) => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const parked = await quoteIn(state, buyer, seller);
    for (const side of ["buyer", "seller"] as const) {
      const actor = side === "buyer" ? buyer : seller;
      for (const action of quoteActions) {
        const transition = quoteMachine[action];
        const allowed = allowedQuoteActions(state, side).includes(action);
        const ends = !("newVersion" in transition) && !("placesOrder" in transition);
        const repeat = ends && (transition.by as readonly string[]).includes(side) && transition.to === state;
        if (allowed) {
          const fresh = await quoteIn(state, buyer, seller);
          const res = await fire(actor, fresh.id, action, fresh.currentVersion);
          expect(res.status, `${side} ${action} from ${state}`).toBeLessThan(300);
          await res.body?.cancel();
          expect((await quoteOf(buyer, fresh.id)).status).toBe(transition.to);
          if (ends) {
            const again = await fire(actor, fresh.id, action, fresh.currentVersion);
            expect(again.status, `repeat ${side} ${action}`).toBe(200);
            await again.body?.cancel();
          }
          continue;
        }
        const res = await fire(actor, parked.id, action, parked.currentVersion);
        if (repeat) {
          expect(res.status, `${side} ${action} on a ${state} quote is a no-op`).toBe(200);
          await res.body?.cancel();
          continue;
        }
        expect(res.status, `${side} ${action} from ${state}`).toBe(409);
        const body = await problem(res);
        expect(body.currentStatus, `${side} ${action} from ${state}`).toBe(state);
        expect(body.allowedActions, `${side} ${action} from ${state}`).toEqual(
          allowedQuoteActions(state, side),
        );
      }
    }
    expect((await quoteOf(buyer, parked.id)).status).toBe(state);
  });
});

describe("the RFQ machine: the buyer's actions from every state it can reach", () => {
  it.each(["open", "quoted", "awarded", "closed", "withdrawn"] as const)("from %s", async (state) => {
    const buyer = await newBuyer();
    const seller = await newSeller();
    const park = async () => {
      const rfq = await createRfq(buyer, rfqBody({ sellerOrgId: seller.orgId }));
      if (state === "open") return rfq;
      if (state === "withdrawn") {
        await (await move(rfq.id, "withdraw")).body?.cancel();
        return rfq;
      }
      const quote = await sendQuote(seller, rfq.id, quoteBody(item));
      if (state === "awarded") await (await accept(buyer, quote.id, 1)).body?.cancel();
      if (state === "closed") await (await move(rfq.id, "close")).body?.cancel();
      return rfq;
    };
    const move = (rfqId: string, action: string) =>
      api(`/v1/orgs/${buyer.orgId}/rfqs/${rfqId}/transitions`, {
        token: buyer.owner.token,
        body: { action },
      });
    const parked = await park();
    for (const action of userRfqActions) {
      const transition = rfqMachine[action];
      if (allowedRfqActions(state, "buyer").includes(action)) {
        const fresh = await park();
        const res = await move(fresh.id, action);
        expect(res.status).toBe(200);
        expect((await json<RfqWithQuotes>(res)).status).toBe(transition.to);
        continue;
      }
      const res = await move(parked.id, action);
      if (transition.to === state) {
        expect(res.status, `${action} on a ${state} RFQ is a no-op`).toBe(200);
        await res.body?.cancel();
        continue;
      }
      expect(res.status, `${action} from ${state}`).toBe(409);
      const body = await problem(res);
      expect(body.currentStatus).toBe(state);
      expect(body.allowedActions).toEqual(allowedRfqActions(state, "buyer"));
    }
  });
});
