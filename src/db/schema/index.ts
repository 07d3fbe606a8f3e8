// Tables by aggregate; each issue adds its own module here.
export * from "./identity.ts";
export * from "./catalog.ts";
