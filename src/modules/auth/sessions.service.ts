import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import { sessions } from "../../../drizzle/schema";
import type { Db } from "../../lib/db";
import { notFound } from "../../lib/errors";
import { olderThan, type Page, timeKey, toPage } from "../../lib/pagination";
import { isoUtc } from "../../lib/time";

export interface SessionView {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  userAgent: string | null;
  current: boolean;
}

/** The caller's live sessions, newest first (keyset over created_at, id). */
export async function listSessions(
  db: Db,
  viewer: { id: number; sessionId: string },
  page: { limit: number; after?: [string, string] },
): Promise<Page<SessionView>> {
  const createdKey = timeKey(sessions.createdAt);
  const rows = await db
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      createdKey,
      lastUsedAt: sessions.lastUsedAt,
      expiresAt: sessions.expiresAt,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, viewer.id),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        olderThan(sessions.createdAt, sessions.id, page.after),
      ),
    )
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    (row) => ({
      id: row.id,
      createdAt: isoUtc(row.createdAt),
      lastUsedAt: isoUtc(row.lastUsedAt),
      expiresAt: isoUtc(row.expiresAt),
      userAgent: row.userAgent,
      current: row.id === viewer.sessionId,
    }),
    (row) => [row.createdKey, row.id],
  );
}

/** Ends one of the caller's sessions; another user's (or an unknown) session is a 404. */
export async function revokeSession(db: Db, userId: number, sessionId: string): Promise<void> {
  const ended = await db
    .update(sessions)
    .set({ revokedAt: sql`now()`, revokedReason: "revoked" })
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  if (!ended[0]) throw notFound("session");
}
