// Tables by aggregate; each issue adds its own module here.

export * from "./catalog.ts";
export * from "./delivery.ts";
export * from "./identity.ts";
export * from "./negotiation.ts";
export * from "./orders.ts";
