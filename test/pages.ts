import { expect } from "vitest";
import type { Api } from "./harness";

export interface ListPage<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Every page of a list route, following `nextCursor` until it is null (each page must be a 200),
 * for tests that check a list yields every item once, in order.
 *
 * @example
 * const pages = await allPages<{ id: number }>(t.api, "/api/hashtags/tango/posts?limit=2", token);
 */
export async function allPages<T = { id: number }>(api: Api, path: string, token?: string): Promise<ListPage<T>[]> {
  const pages: ListPage<T>[] = [];
  let cursor: string | null = null;
  do {
    const suffix: string = cursor === null ? "" : `${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}`;
    const res = await api.get(`${path}${suffix}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = res.body as ListPage<T>;
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return pages;
}
