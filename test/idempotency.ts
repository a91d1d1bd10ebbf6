import { expect } from "vitest";
import type { ApiResponse } from "./harness";

/** Request headers carrying an `Idempotency-Key`, or none. */
export const keyHeaders = (key: string | undefined): Record<string, string> => (key === undefined ? {} : { "Idempotency-Key": key });

/** Keys every route that takes one refuses with a 400: [label, key]. */
export const BAD_IDEMPOTENCY_KEYS = [
  ["empty", ""],
  ["too long", "k".repeat(256)],
  ["holding a tab", "a\tb"],
] as const;

/** A first create and its repeat with the same key: the same status and body, only the repeat marked replayed. */
export function expectReplay(first: ApiResponse, again: ApiResponse, status = 201): void {
  expect(first.status, JSON.stringify(first.body)).toBe(status);
  expect(first.headers.get("Idempotent-Replayed")).toBeNull();
  expect(again.status).toBe(status);
  expect(again.headers.get("Idempotent-Replayed")).toBe("true");
  expect(again.body).toEqual(first.body);
}

/** Concurrent creates with one key: all `status` with one body, and exactly one of them not a replay. */
export function expectOneCreated(results: ApiResponse[], status = 201): void {
  expect(results.map((r) => r.status)).toEqual(results.map(() => status));
  for (const r of results) expect(r.body).toEqual(results[0]!.body);
  expect(results.filter((r) => r.headers.get("Idempotent-Replayed") === null)).toHaveLength(1);
}

/** A 422 for a key sent before with another request. */
export function expectKeyReused(res: ApiResponse): void {
  expect([res.status, res.body.code]).toEqual([422, "idempotency_key_reused"]);
}

/** A 400 naming the bad `Idempotency-Key` header. */
export function expectBadKey(res: ApiResponse): void {
  expect(res.status).toBe(400);
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "header.idempotency-key" })]));
}
