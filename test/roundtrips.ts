import { neonConfig } from "@neondatabase/serverless";

/**
 * The database round trips made while `work` runs: the Neon driver's HTTP requests, counted
 * (ARCHITECTURE.md: one per API request is the target, never more than two). The Worker, its
 * `waitUntil` work and the Durable Objects share the test's isolate, so all of theirs count.
 *
 * @example
 * const { result, trips } = await countRoundTrips(() => t.api.get("/api/chat/rooms", { token }));
 * expect([result.status, trips]).toEqual([200, 1]);
 */
export async function countRoundTrips<T>(work: () => Promise<T>): Promise<{ result: T; trips: number }> {
  const original = neonConfig.fetchFunction as typeof fetch | undefined;
  let trips = 0;
  neonConfig.fetchFunction = (input: RequestInfo | URL, init?: RequestInit) => {
    trips += 1;
    return (original ?? fetch)(input, init);
  };
  try {
    return { result: await work(), trips };
  } finally {
    neonConfig.fetchFunction = original;
  }
}

/** {@link countRoundTrips} for one API call: its status and the round trips it made. */
export async function roundTrips(call: () => Promise<{ status: number }>): Promise<{ status: number; trips: number }> {
  const { result, trips } = await countRoundTrips(call);
  return { status: result.status, trips };
}
