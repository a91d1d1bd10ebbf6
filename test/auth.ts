import { blockedUsers, type posts, sessions } from "../drizzle/schema";
import type { Actor } from "../src/lib/context";
import { roleLevel } from "../drizzle/users";
import { issueAccessToken } from "../src/lib/access-tokens";
import { befriend, createPost, createUser, follow, unique, uniqueIp } from "./factories";
import type { Api, TestContext } from "./harness";
import { rememberPrivate } from "./leaks";

/**
 * An access token for a user, without going through login (no password hashing): a real
 * session row and a real signed JWT, as login would issue.
 *
 * @example
 * const ana = await createUser(t.db);
 * const res = await t.api.get("/api/auth/me", { token: await tokenFor(t, ana) });
 */
export async function tokenFor(t: TestContext, user: { id: number; role: string }): Promise<string> {
  const [session] = await t.db
    .insert(sessions)
    .values({ userId: user.id, expiresAt: new Date(Date.now() + 86_400_000) })
    .returning({ id: sessions.id });
  return issueAccessToken(t.env.JWT_SECRET, {
    userId: user.id,
    role: user.role,
    level: roleLevel(user.role),
    sessionId: session!.id,
  });
}

/** A user and a token for them, in one call. */
export async function signedIn(t: TestContext, overrides: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(t.db, overrides);
  return { user, token: await tokenFor(t, user) };
}

/** Registers through the API (unique email, username and client IP) and returns what it answered. */
export async function registerViaApi(api: Api, overrides: Partial<{ email: string; username: string; password: string; name: string }> = {}) {
  const handle = unique("reg");
  const input = {
    email: `${handle}@example.com`,
    username: handle,
    password: "milonga-de-prueba",
    name: `Registered ${handle}`,
    ...overrides,
  };
  const ip = uniqueIp();
  const res = await api.post("/api/auth/register", { json: input, headers: { "cf-connecting-ip": ip } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  rememberPrivate(res.body.user.id, [input.email, ip]);
  return { ...input, ip, id: res.body.user.id as number, accessToken: res.body.accessToken as string, refreshToken: res.body.refreshToken as string };
}

/** The actor a service verb sees for a user (as the auth middleware builds it from a token). */
export function actorOf(user: { id: number; role: string }): Actor {
  return { id: user.id, role: user.role, level: roleLevel(user.role), sessionId: crypto.randomUUID() };
}

/**
 * Waits, when the current minute is about to end, for the next one. The rate-limit bindings
 * count in fixed 60-second windows, so a test that makes N attempts and expects the next to be
 * a 429 would pass N split across two windows and fail. Call it before such a loop.
 */
export async function clearOfRateLimitWindowEdge(marginMs = 10_000): Promise<void> {
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 60_000 - marginMs) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoMinute + 200));
}

/**
 * The visibility matrix every post read path is tested against: an author with a public, a
 * friends-only, a private and a hidden (public, under moderation) post, created in that order
 * with `overrides` (the same content or time for all four), and the viewers: the author, a
 * friend, a follower, a stranger, a dancer who blocked the author, one the author blocked, and
 * an anonymous caller (no token). `sees` lists the post ids each may see, ascending.
 */
export async function postVisibilityWorld(t: TestContext, overrides: Partial<typeof posts.$inferInsert> = {}) {
  const [author, friend, follower, stranger, blocker, blocked] = await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)));
  await befriend(t.db, author!.id, friend!.id);
  await follow(t.db, follower!.id, author!.id);
  await t.db.insert(blockedUsers).values([
    { blockerId: blocker!.id, blockedId: author!.id },
    { blockerId: author!.id, blockedId: blocked!.id },
  ]);
  const post = (extra: Partial<typeof posts.$inferInsert>) => createPost(t.db, { userId: author!.id, ...overrides, ...extra });
  const pub = await post({ visibility: "public" });
  const friendsOnly = await post({ visibility: "friends" });
  const priv = await post({ visibility: "private" });
  const hidden = await post({ visibility: "public", hiddenAt: new Date() });
  const all = [pub, friendsOnly, priv, hidden];
  const viewer = async (label: string, user: { id: number; role: string } | null, sees: { id: number }[]) => ({
    label,
    user,
    token: user ? await tokenFor(t, user) : undefined,
    sees: sees.map((p) => p.id),
  });
  return {
    author: author!,
    posts: { pub, friendsOnly, priv, hidden, all },
    viewers: [
      await viewer("the author", author!, all),
      await viewer("a friend", friend!, [pub, friendsOnly]),
      await viewer("a follower", follower!, [pub]),
      await viewer("a stranger", stranger!, [pub]),
      await viewer("a dancer who blocked the author", blocker!, []),
      await viewer("a dancer the author blocked", blocked!, []),
      await viewer("an anonymous caller", null, [pub]),
    ],
  };
}
