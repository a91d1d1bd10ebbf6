/**
 * The web client's only way to the API: the typed client (src/client.ts) with the session's
 * access token, and problem+json turned into `ApiError`.
 *
 * The session: the access token lives in memory only; the refresh token is the API's
 * httpOnly `mt_refresh` cookie (`refreshTransport: "cookie"`), which no script can read. A
 * page load restores the session by refreshing from the cookie; a 401 on any call refreshes
 * once (one refresh in flight at a time) and retries.
 */
import type { InferResponseType } from "hono/client";
import { createClient } from "../client";

/** A problem+json answer (or a network failure, status 0), with what to show the dancer. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(detail);
    this.name = "ApiError";
  }
}

/** Turns an answer that is not 2xx into an ApiError carrying the problem's `detail`. */
export async function problemOf(res: Response): Promise<ApiError> {
  let body: { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown } = {};
  try {
    body = await res.json<typeof body>();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  const detail = typeof body.detail === "string" ? body.detail : typeof body.title === "string" ? body.title : `The server answered ${res.status}.`;
  const errors = Array.isArray(body.errors) ? (body.errors as { path: string; message: string }[]) : [];
  return new ApiError(res.status, typeof body.code === "string" ? body.code : "http_error", detail, errors);
}

/** The JSON of a 2xx answer of the typed client, or the problem thrown as an ApiError. */
export async function ok<R extends { ok: boolean; json(): Promise<unknown> }>(
  pending: Promise<R>,
): Promise<Awaited<ReturnType<Extract<R, { ok: true }>["json"]>>> {
  let res: R;
  try {
    res = await pending;
  } catch {
    throw new ApiError(0, "network_error", "The network is unreachable. Check your connection and try again.");
  }
  if (!res.ok) throw await problemOf(res as unknown as Response);
  return (await res.json()) as Awaited<ReturnType<Extract<R, { ok: true }>["json"]>>;
}

/** For answers without a body (204): throws the problem, else nothing. */
export async function done(pending: Promise<{ ok: boolean }>): Promise<void> {
  let res: { ok: boolean };
  try {
    res = await pending;
  } catch {
    throw new ApiError(0, "network_error", "The network is unreachable. Check your connection and try again.");
  }
  if (!res.ok) throw await problemOf(res as unknown as Response);
}

/** Calls without the session: sign up, sign in, refresh, sign out. */
const anonymous = createClient(location.origin, { init: { credentials: "same-origin" } });

export type Me = InferResponseType<typeof anonymous.api.auth.me.$get, 200>;

interface Session {
  accessToken: string;
  user: Me;
}

let session: Session | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(user: Me | null) => void>();

function setSession(next: Session | null): void {
  const changed = (session?.user.id ?? null) !== (next?.user.id ?? null) || session?.accessToken !== next?.accessToken;
  session = next;
  if (changed) for (const listener of listeners) listener(next?.user ?? null);
}

/** Called with the signed-in dancer (or null) whenever the session starts, renews or ends. */
export function onSessionChange(listener: (user: Me | null) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function currentUser(): Me | null {
  return session?.user ?? null;
}

export function accessToken(): string | null {
  return session?.accessToken ?? null;
}

/** Sends the access token, and on a 401 renews it from the cookie once and tries again. */
const sessionFetch: typeof fetch = async (input, init) => {
  const attempt = () => {
    const headers = new Headers(init?.headers);
    if (session) headers.set("Authorization", `Bearer ${session.accessToken}`);
    return fetch(input, { ...init, headers });
  };
  const res = await attempt();
  if (res.status !== 401 || !session) return res;
  return (await refreshSession()) ? attempt() : res;
};

/** The typed client with the session: every page's calls go through it. */
export const api = createClient(location.origin, { fetch: sessionFetch });

/** Renews the access token from the refresh cookie (one renewal in flight at a time). */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      // Every tab of this browser shares the one cookie, and each cookie renews once (a reused
      // one ends the session): tabs take turns (Web Locks), so the next tab renews with the
      // cookie the previous renewal set.
      const renew = () => anonymous.api.auth.refresh.$post({ json: { refreshTransport: "cookie" } });
      const res = "locks" in navigator ? await navigator.locks.request("mt:refresh-session", renew) : await renew();
      if (!res.ok) {
        setSession(null);
        return false;
      }
      const body = await res.json();
      setSession({ accessToken: body.accessToken, user: body.user });
      return true;
    } catch {
      // Offline: keep the session as it is, the next call tries again.
      return session !== null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export async function signIn(input: { login: string; password: string; totp?: string }): Promise<Me> {
  const body = await ok(anonymous.api.auth.login.$post({ json: { ...input, refreshTransport: "cookie" } }));
  setSession({ accessToken: body.accessToken, user: body.user });
  return body.user;
}

export async function signUp(input: { email: string; username: string; password: string; name: string }): Promise<Me> {
  const body = await ok(anonymous.api.auth.register.$post({ json: { ...input, refreshTransport: "cookie" } }));
  setSession({ accessToken: body.accessToken, user: body.user });
  return body.user;
}

/**
 * Ends the session (the cookie's, on the server) and forgets what this browser kept for the
 * dancer (chat messages still waiting in an outbox): on a shared computer nothing of theirs
 * stays behind.
 */
export async function signOut(): Promise<void> {
  try {
    await anonymous.api.auth.logout.$post({ json: {} });
  } finally {
    for (const key of Object.keys(localStorage)) if (key.startsWith("mt:")) localStorage.removeItem(key);
    setSession(null);
  }
}

/** Uploads a photo (R2, `POST /api/media`, the file as the raw body): its public URL. */
export async function uploadMedia(file: File): Promise<string> {
  const body = await ok(
    api.api.media.$post(undefined, { init: { body: file, headers: { "Content-Type": file.type || "application/octet-stream" } } }),
  );
  return body.url;
}

/** A WebSocket URL on this origin (ws: or wss: as the page). */
export function socketUrl(path: string): string {
  const url = new URL(path, location.origin);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** A new client id for a chat send: repeated sends with it are stored once. */
export function newClientId(): string {
  return crypto.randomUUID();
}
