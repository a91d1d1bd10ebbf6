/**
 * Database round trips per HTTP request (issue 17, "Measure" 4): an end-to-end pass through the
 * API on `npm run dev` (bench/dev-server.ts), one request at a time, counting the `[db]` lines
 * the local endpoint prints (`DB_LOG=1`: one per SQL request it serves, a `db.batch` being one).
 *
 * Attribution: lines that arrived by the time the response was read (and the I/O already
 * pending then was handled) are the request's; lines arriving after, until the endpoint has
 * been quiet for a while, are work after the response (waitUntil, the event-views queue
 * consumer, a chat room's outbox alarm) and are counted apart. Requests known to leave such
 * work (event detail, chat sends) wait out its delay before the next request starts.
 */
import { WebSocket } from "ws";
import type { BenchContext, StandaloneBench } from "./context";
import { acquire, type DevServer, release } from "./dev-server";

/** The hot requests of the issue's target (at most 1 round trip each), by label. */
const HOT = new Set([
  "feed",
  "timeline",
  "post create",
  "like",
  "comment",
  "rsvp",
  "discovery by city",
  "discovery by radius",
  "event detail",
  "profile",
  "rooms list",
  "chat history",
  "search",
]);

interface Call {
  label: string;
  route: string;
  status: number;
  during: number;
  after: number;
}

interface Dancer {
  id: number;
  username: string;
  token: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const QUIET_MS = 400;

class Pass {
  calls: Call[] = [];
  private templates: { method: string; template: string; pattern: RegExp; params: number }[] = [];

  constructor(private server: DevServer) {}

  async loadTemplates(): Promise<number> {
    const doc = (await (await fetch(`${this.server.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
        this.templates.push({ method: method.toUpperCase(), template, pattern, params: (template.match(/\{/g) ?? []).length });
      }
    }
    // Literal segments first: /api/users/me/settings is not /api/users/{idOrUsername}.
    this.templates.sort((a, b) => a.params - b.params);
    return this.templates.length;
  }

  routeOf(method: string, path: string): string {
    const bare = path.split("?")[0]!;
    const found = this.templates.find((t) => t.method === method && t.pattern.test(bare));
    return `${method} ${found?.template ?? bare}`;
  }

  /** Waits until the endpoint has printed nothing for QUIET_MS (or `atLeast` has passed), returning the lines seen since `from`. */
  private async settle(from: number, atLeast = 0): Promise<number> {
    const started = performance.now();
    let seen = this.server.sqlLines.length;
    let quietSince = performance.now();
    for (;;) {
      await sleep(50);
      const now = performance.now();
      if (this.server.sqlLines.length !== seen) {
        seen = this.server.sqlLines.length;
        quietSince = now;
      }
      if (now - quietSince >= QUIET_MS && now - started >= atLeast) return seen - from;
    }
  }

  /** One request; its in-request and after-response round trips. `drainMs`: work known to follow later (queue, alarm). */
  async call(label: string, method: string, path: string, options: { token?: string; body?: unknown; drainMs?: number } = {}) {
    const start = this.server.sqlLines.length;
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.server.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    // The endpoint writes its line (a synchronous pipe write) before the Worker has its answer:
    // anything already pending on the pipe when the response is read is handled by then.
    await new Promise((r) => setImmediate(r));
    const during = this.server.sqlLines.length - start;
    const after = (await this.settle(start, options.drainMs ?? 0)) - during;
    this.calls.push({ label, route: this.routeOf(method, path), status: res.status, during, after });
    const json = text && res.headers.get("content-type")?.includes("json") ? (JSON.parse(text) as Record<string, unknown>) : {};
    return { status: res.status, json };
  }

  /** As `call`, but the pass cannot go on without a 2xx. */
  async must(label: string, method: string, path: string, options: { token?: string; body?: unknown; drainMs?: number } = {}) {
    const result = await this.call(label, method, path, options);
    if (result.status >= 300) throw new Error(`${label}: ${method} ${path} answered ${result.status} ${JSON.stringify(result.json)}`);
    return result.json;
  }

  /** Opening a chat socket until the room says `ready`, then one message sent and acknowledged. */
  async socket(roomId: number, token: string, which: string): Promise<void> {
    const url = `${this.server.baseUrl.replace(/^http/, "ws")}/api/chat/rooms/${roomId}/ws`;
    let start = this.server.sqlLines.length;
    const frames: { type: string }[] = [];
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    const next = (type: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} frame`)), 15_000);
        const check = () => {
          const error = frames.find((f) => f.type === "error");
          if (frames.some((f) => f.type === type)) {
            clearTimeout(timer);
            resolve();
          } else if (error) {
            clearTimeout(timer);
            reject(new Error(`error frame instead of ${type}: ${JSON.stringify(error)}`));
          } else setTimeout(check, 5);
        };
        check();
      });
    ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString("utf8")) as { type: string }));
    const failed = new Promise<never>((_, reject) => ws.on("error", reject));
    await Promise.race([next("ready"), failed]);
    await new Promise((r) => setImmediate(r));
    let during = this.server.sqlLines.length - start;
    let after = (await this.settle(start)) - during;
    this.calls.push({ label: `chat socket open (${which})`, route: "GET /api/chat/rooms/{id}/ws (upgrade until ready)", status: 101, during, after });
    start = this.server.sqlLines.length;
    ws.send(JSON.stringify({ type: "send", clientId: `rt-socket-${which.replace(/\W+/g, "-")}`, text: "a socket's message" }));
    await Promise.race([next("ack"), failed]);
    await new Promise((r) => setImmediate(r));
    during = this.server.sqlLines.length - start;
    after = (await this.settle(start, 1500)) - during;
    this.calls.push({ label: "chat socket send", route: "socket frame `send` (until ack; outbox alarm after)", status: 0, during, after });
    ws.close();
    await sleep(200);
  }
}

/** Why a route makes more than one round trip, from its handler (kept beside the figures). */
const REASONS: Record<string, string> = {
  "POST /api/auth/login":
    "reads the account, verifies the password in the Worker (scrypt) between the two, then one statement opens the session only if the account is unchanged since the read",
  "GET /api/chat/rooms/{id}/ws (upgrade until ready)":
    "the Worker checks the membership; the room's Durable Object then reads its members' read receipts from Postgres once in its life (the first socket only: a warm room's upgrade is 1)",
};

export async function runPass(server: DevServer): Promise<{ pass: Pass; routes: number }> {
  const pass = new Pass(server);
  const routes = await pass.loadTemplates();
  const stamp = Date.now().toString(36).slice(-5);
  const register = async (name: string): Promise<Dancer> => {
    const username = `rt_${name}_${stamp}`;
    const body = await pass.must(`register`, "POST", "/api/auth/register", {
      body: { email: `${username}@bench.test`, username, password: "milonga-2026", name: `${name} ${stamp}`, refreshTransport: "body" },
    });
    return { id: (body.user as { id: number }).id, username, token: body.accessToken as string };
  };
  const ana = await register("ana");
  const ben = await register("ben");
  const cleo = await register("cleo");
  const a = { token: ana.token };
  const b = { token: ben.token };

  // Auth and profile.
  const login = await pass.must("login", "POST", "/api/auth/login", { body: { login: ana.username, password: "milonga-2026", refreshTransport: "body" } });
  await pass.call("refresh", "POST", "/api/auth/refresh", { body: { refreshToken: login.refreshToken, refreshTransport: "body" } });
  await pass.call("me", "GET", "/api/auth/me", a);
  await pass.call("username availability", "GET", `/api/auth/availability?username=free_${stamp}`);
  await pass.call("profile update", "PATCH", "/api/users/me", { ...a, body: { city: "Buenos Aires", country: "Argentina", bio: "Milonguera" } });
  await pass.call("settings", "GET", "/api/users/me/settings", a);
  await pass.call("profile", "GET", `/api/users/${ben.username}`, a);
  await pass.call("profile (anonymous)", "GET", `/api/users/${ben.id}`);

  // Follows and friends.
  await pass.call("follow", "POST", `/api/users/${ben.id}/follow`, a);
  await pass.call("follow", "POST", `/api/users/${ana.id}/follow`, { token: cleo.token });
  await pass.call("followers", "GET", `/api/users/${ben.id}/followers`, a);
  await pass.call("following", "GET", `/api/users/${ana.id}/following`, a);
  const request = await pass.must("friend request", "POST", "/api/friends/requests", { ...a, body: { receiverId: ben.id, message: "We danced at La Viruta", didWeDance: true } });
  await pass.call("friend requests", "GET", "/api/friends/requests", b);
  await pass.call("friend accept", "POST", `/api/friends/requests/${request.id as number}/accept`, b);
  await pass.call("friend request", "POST", "/api/friends/requests", { token: cleo.token, body: { receiverId: ben.id } });
  await pass.call("friends", "GET", "/api/friends", a);
  await pass.call("friend suggestions", "GET", "/api/friends/suggestions", a);
  await pass.call("mutual friends", "GET", `/api/friends/mutual/${cleo.id}`, a);
  await pass.call("degree", "GET", `/api/friends/degree/${cleo.id}`, a);

  // Posts.
  const post = await pass.must("post create", "POST", "/api/posts", { ...b, body: { content: `Tonight at Salon Canning #milonga #rt${stamp} @${ana.username}`, visibility: "public" } });
  const postId = post.id as number;
  await pass.call("post create", "POST", "/api/posts", { ...a, body: { content: `Cabeceo practice #milonga`, visibility: "public" } });
  await pass.call("feed", "GET", "/api/feed", a);
  await pass.call("feed", "GET", "/api/feed", b);
  await pass.call("timeline", "GET", `/api/users/${ben.id}/posts`, a);
  await pass.call("post", "GET", `/api/posts/${postId}`, a);
  await pass.call("like", "POST", `/api/posts/${postId}/like`, a);
  await pass.call("unlike", "DELETE", `/api/posts/${postId}/like`, a);
  await pass.call("like", "POST", `/api/posts/${postId}/like`, a);
  await pass.call("comment", "POST", `/api/posts/${postId}/comments`, { ...a, body: { content: "See you there!" } });
  await pass.call("comments", "GET", `/api/posts/${postId}/comments`, a);
  await pass.call("share", "POST", `/api/posts/${postId}/share`, { ...a, body: { comment: "Go!" } });
  await pass.call("bookmark", "POST", `/api/posts/${postId}/bookmark`, a);
  await pass.call("post edit", "PATCH", `/api/posts/${postId}`, { ...b, body: { content: `Tonight at Salon Canning, 22h #milonga #rt${stamp}` } });
  await pass.call("hashtag page", "GET", "/api/hashtags/milonga/posts", a);
  await pass.call("trending hashtags", "GET", "/api/hashtags/trending", a);
  await pass.call("trending feed", "GET", "/api/feed/trending", a);
  await pass.call("search", "GET", "/api/search?q=milonga", a);
  await pass.call("search", "GET", `/api/search?q=${ben.username}&type=users`, a);

  // Events.
  const starts = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const event = await pass.must("event create", "POST", "/api/events", {
    ...a,
    body: {
      title: `Milonga ${stamp}`,
      eventType: "milonga",
      startDate: starts,
      location: "Salon Canning",
      city: "Buenos Aires",
      country: "Argentina",
      latitude: -34.5889,
      longitude: -58.4298,
      maxAttendees: 100,
      status: "published",
    },
  });
  const eventId = event.id as number;
  await pass.call("discovery by city", "GET", "/api/events?city=Buenos%20Aires", a);
  await pass.call("discovery by radius", "GET", "/api/events?near=-34.6,-58.43&radiusKm=25", a);
  await pass.call("discovery by city", "GET", "/api/events?city=Buenos%20Aires");
  // The view is counted by a queue consumer (batches wait up to 5 s).
  await pass.call("event detail", "GET", `/api/events/${eventId}`, { ...b, drainMs: 6_500 });
  await pass.call("rsvp", "POST", `/api/events/${eventId}/rsvp`, { ...b, body: { status: "going", role: "leader" } });
  await pass.call("rsvp", "POST", `/api/events/${eventId}/rsvp`, { token: cleo.token, body: { status: "interested" } });
  await pass.call("attendees", "GET", `/api/events/${eventId}/attendees`, a);
  await pass.call("rsvp cancel", "DELETE", `/api/events/${eventId}/rsvp`, { token: cleo.token });

  // Chat.
  const room = await pass.must("chat room create", "POST", "/api/chat/rooms", { ...a, body: { type: "direct", userId: ben.id } });
  const roomId = room.id as number;
  await pass.call("chat room create", "POST", "/api/chat/rooms", { ...a, body: { type: "group", name: "Practica crew", memberIds: [ben.id, cleo.id] } });
  // A send goes through the room (Durable Object); its outbox alarm writes to Postgres ~0.5 s later.
  await pass.call("chat send", "POST", `/api/chat/rooms/${roomId}/messages`, { ...a, body: { clientId: `rt-${stamp}-1`, text: "Shall we go?" }, drainMs: 1_500 });
  await pass.call("rooms list", "GET", "/api/chat/rooms", a);
  await pass.call("rooms list", "GET", "/api/chat/rooms", b);
  await pass.call("chat history", "GET", `/api/chat/rooms/${roomId}/messages`, b);
  await pass.call("chat room", "GET", `/api/chat/rooms/${roomId}`, b);
  await pass.socket(roomId, ben.token, "first in the room");
  await pass.socket(roomId, ana.token, "room warm");

  // Housing.
  const listing = await pass.must("listing create", "POST", "/api/housing/listings", {
    ...a,
    body: {
      title: "Room near the Obelisco",
      description: "A quiet room for festival guests",
      address: "Av. Corrientes 1234",
      city: "Buenos Aires",
      country: "Argentina",
      latitude: -34.6037,
      longitude: -58.3816,
      maxGuests: 2,
      pricePerNight: 30,
      currency: "USD",
      houseRules: "No dancing shoes on the carpet",
      bookingPolicy: "friends",
    },
  });
  const listingId = listing.id as number;
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  await pass.call("housing search", "GET", "/api/housing/listings?city=Buenos%20Aires", b);
  await pass.call("housing search by dates", "GET", `/api/housing/listings?city=Buenos%20Aires&checkIn=${day(30)}&checkOut=${day(33)}&guests=1`, b);
  await pass.call("listing", "GET", `/api/housing/listings/${listingId}`, b);
  const booking = await pass.call("booking request", "POST", `/api/housing/listings/${listingId}/bookings`, {
    ...b,
    body: { checkIn: day(30), checkOut: day(33), guests: 1, message: "For the festival", acceptRules: true },
  });
  if (booking.status < 300) await pass.call("booking approve", "POST", `/api/housing/bookings/${booking.json.id as number}/approve`, a);
  await pass.call("bookings", "GET", "/api/housing/bookings", b);

  // Travel.
  await pass.call("trip create", "POST", "/api/trips", { ...b, body: { city: "Buenos Aires", country: "Argentina", startsOn: day(29), endsOn: day(35), visibility: "public" } });
  await pass.call("my trips", "GET", "/api/users/me/trips", b);
  await pass.call("trip planner", "GET", `/api/travel?city=Buenos%20Aires&country=Argentina&from=${day(29)}&to=${day(35)}`, b);

  // Groups.
  const group = await pass.must("group create", "POST", "/api/groups", { ...a, body: { name: `Tango BA ${stamp}`, type: "interest", city: "Buenos Aires", country: "Argentina" } });
  const groupId = group.id as number;
  await pass.call("group join", "POST", `/api/groups/${groupId}/join`, b);
  await pass.call("group", "GET", `/api/groups/${groupId}`, b);
  await pass.call("group post", "POST", `/api/groups/${groupId}/posts`, { ...b, body: { content: "Hello group" } });
  await pass.call("group posts", "GET", `/api/groups/${groupId}/posts`, a);
  await pass.call("groups", "GET", "/api/groups", a);

  // Directory.
  await pass.call("teacher create", "POST", "/api/teachers", { ...a, body: { headline: "Salon teacher", styles: ["salon"], city: "Buenos Aires", country: "Argentina" } });
  await pass.call("teachers", "GET", "/api/teachers?city=Buenos%20Aires", b);
  await pass.call("venue create", "POST", "/api/venues", { ...a, body: { name: `Canning ${stamp}`, address: "Scalabrini Ortiz 1331", city: "Buenos Aires", country: "Argentina" } });
  await pass.call("venues", "GET", "/api/venues?city=Buenos%20Aires", b);

  // Notifications (likes, comments, follows, requests above).
  await pass.call("notifications", "GET", "/api/notifications", b);
  await pass.call("unread count", "GET", "/api/notifications/unread-count", b);
  await pass.call("read all", "POST", "/api/notifications/read-all", b);
  await pass.call("logout", "POST", "/api/auth/logout", { token: login.accessToken as string, body: { refreshToken: login.refreshToken } });
  return { pass, routes };
}

export const roundTripsBench: StandaloneBench = {
  name: "roundtrips",
  async run(ctx: BenchContext) {
    const held = acquire();
    try {
      const server = await held;
      console.log(`\n# round trips per request, npm run dev on ${server.engine}`);
      const { pass, routes } = await runPass(server);
      report(ctx, pass.calls, routes, server.engine);
    } finally {
      await release();
    }
  },
};

function report(ctx: BenchContext, calls: Call[], routes: number, engine: string): void {
  const section = ctx.report.section("Round trips per request");
  // Per label (a route can appear under several labels: discovery by city and by radius).
  const byLabel = new Map<string, Call[]>();
  for (const call of calls) byLabel.set(call.label, [...(byLabel.get(call.label) ?? []), call]);
  const rows: (string | number)[][] = [];
  let hotMax = 0;
  for (const [label, list] of byLabel) {
    const during = Math.max(...list.map((c) => c.during));
    const after = Math.max(...list.map((c) => c.after));
    const statuses = [...new Set(list.map((c) => c.status))].join(", ");
    const hot = HOT.has(label);
    if (hot) hotMax = Math.max(hotMax, during);
    rows.push([label, list[0]!.route, hot ? "hot" : "", statuses, String(during), String(after), during > 1 ? (REASONS[list[0]!.route] ?? "(not explained)") : ""]);
    const name = `roundtrips.${label.replace(/[^a-z0-9]+/gi, "_")}`;
    if (hot) section.figure(name, during, "round trips", { target: { op: "<=", value: 1 } });
    console.log(`  ${label.padEnd(26)} ${list[0]!.route.padEnd(48)} ${statuses.padEnd(8)} ${during} (+${after} after)`);
  }
  const distinct = new Set(calls.map((c) => c.route)).size;
  section.figure("roundtrips.hot.max", hotMax, "round trips", { target: { op: "<=", value: 1 } });
  section.figure("roundtrips.routes", distinct, "routes", { note: `of ${routes} in the OpenAPI document` });
  section.text(
    `An end-to-end pass through \`npm run dev\` on ${engine}, one request at a time (${calls.length} requests over ${distinct} routes), ` +
      "counting the lines the local endpoint prints with `DB_LOG=1` (one per SQL request: a `db.batch` is one). " +
      "\"during\" is what arrived before the response was read, \"after\" what arrived after it until the endpoint was quiet " +
      `for ${QUIET_MS} ms (waitUntil work, the event-views queue consumer, a chat room's outbox alarm: waited out for those requests). ` +
      "Several calls of one label: the largest count. Statuses other than 2xx are the pass's own checks (e.g. a repeated request).",
  );
  section.table(["request", "route", "hot", "status", "during", "after", "why more than 1"], rows);
  const above = rows.filter((r) => Number(r[4]) > 1);
  section.text(
    above.length
      ? `Requests above 1 round trip: ${above.map((r) => `\`${r[1]}\` (${r[4]}${r[6] ? `: ${r[6]}` : ""})`).join("; ")}.`
      : "No request made more than 1 round trip.",
  );
}
