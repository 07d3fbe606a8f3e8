/** The endpoints the benchmark loads. Later issues add theirs (with any setup they need). */
export interface BenchEndpoint {
  name: string;
  /** Creates whatever data the request needs and returns the request to repeat. */
  prepare(baseUrl: string): Promise<RequestInit & { path: string }>;
}

export const benchEndpoints: BenchEndpoint[] = [
  { name: "GET /health", prepare: async () => ({ path: "/health" }) },
  { name: "GET /ready", prepare: async () => ({ path: "/ready" }) },
];
