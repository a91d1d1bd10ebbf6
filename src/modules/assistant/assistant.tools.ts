import { z } from "@hono/zod-openapi";
import { type SQL, sql } from "drizzle-orm";
import type { AiToolCall, AiToolSpec } from "../../lib/ai";
import type { ActorCtx } from "../../lib/context";
// The users module first: the others below import it, and it imports the graph (their cycle resolves in this order).
import { accountUsable } from "../users";
import { notBlockedBetween } from "../blocks";
import { placeVisibleTo, teacherVisibleTo } from "../directory";
import { boundingBoxes, distanceKm, eventVisibleTo, inBoxes } from "../events";
import { friendsOf } from "../graph";
import { homeFreeDuring, homeVisibleTo } from "../housing";

/** Items a tool gives the model at most: enough to answer, small enough for the context. */
export const TOOL_ITEM_LIMIT = 10;
/** The widest date range a search covers (a month, as the planner's events reach). */
const MAX_RANGE_DAYS = 31;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "A day as YYYY-MM-DD").refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), "Not a date");
const City = z.string().trim().min(1).max(100);
const Query = z.string().trim().min(1).max(100);

const FindEventsArgs = z
  .object({
    city: City.optional(),
    near: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }).optional(),
    radiusKm: z.number().positive().max(200).optional(),
    from: Day.optional(),
    to: Day.optional(),
    type: z.string().trim().min(1).max(50).optional(),
  })
  .strict();
const FindTeachersArgs = z.object({ city: City.optional(), style: Query.optional(), q: Query.optional() }).strict();
const FindVenuesArgs = z.object({ city: City.optional(), q: Query.optional() }).strict();
const FindListingsArgs = z
  .object({ city: City, checkIn: Day.optional(), checkOut: Day.optional(), guests: z.number().int().min(1).max(50).optional() })
  .strict();
const FriendsInCityArgs = z.object({ city: City }).strict();
const NoArgs = z.object({}).strict();

/** What a tool gives back to the model: compact items (ids, names, dates, city, link) or an error it can read. */
export type ToolResult = { items: unknown[]; count: number } | { error: string };

interface Tool<A extends z.ZodType> {
  spec: AiToolSpec;
  args: A;
  run: (ctx: ActorCtx, args: z.infer<A>, links: Links) => Promise<unknown[]>;
}

/** Links into the web app, from APP_URL. */
interface Links {
  to(path: string): string;
}

const today = (now: Date) => now.toISOString().slice(0, 10);
const addDays = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const sameCity = (column: SQL, city: string) => sql`lower(${column}) = lower(${city})`;
const contains = (column: SQL, q: string) => sql`strpos(lower(${column}), lower(${q})) > 0`;

/**
 * The days a search covers: from `from` (default today) to `to` (default the same day a week
 * on), at most a month; a reversed range is the model's mistake, told back to it.
 */
function dayRange(now: Date, from?: string, to?: string): { from: string; to: string } {
  const start = from ?? today(now);
  const end = to ?? (from ? start : addDays(start, 7));
  if (end < start) throw new ToolArgumentError("`to` is before `from`");
  if (Date.parse(end) - Date.parse(start) > MAX_RANGE_DAYS * 86_400_000) throw new ToolArgumentError(`a range of at most ${MAX_RANGE_DAYS} days`);
  return { from: start, to: end };
}

class ToolArgumentError extends Error {}

const findEvents: Tool<typeof FindEventsArgs> = {
  spec: {
    name: "find_events",
    description:
      "Tango events (milongas, practicas, classes, festivals) the dancer may see, running on the given days (default: today to a week on), in a city or near a point. Each has a link.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string", description: "City name, e.g. Madrid" },
        near: { type: "object", properties: { lat: { type: "number" }, lng: { type: "number" } }, required: ["lat", "lng"] },
        radiusKm: { type: "number", description: "With near: the radius in km (default 25, at most 200)" },
        from: { type: "string", description: "First day, YYYY-MM-DD (default today)" },
        to: { type: "string", description: "Last day, YYYY-MM-DD (default: from, or a week on)" },
        type: { type: "string", description: "milonga, practica, class, workshop, festival, ..." },
      },
      additionalProperties: false,
    },
  },
  args: FindEventsArgs,
  async run({ db, actor, now }, args, links) {
    if (!args.city && !args.near) throw new ToolArgumentError("give a city or near");
    const { from, to } = dayRange(now, args.from, args.to);
    const where: SQL[] = [
      sql`e.status = 'published'`,
      sql`e.hidden_at IS NULL`,
      // The planner's window: a coarse range on start_date, then each event's own local days.
      sql`e.start_date >= (${from}::date - 32)::timestamp AND e.start_date < (${to}::date + 2)::timestamp`,
      sql`((e.start_date AT TIME ZONE 'UTC') AT TIME ZONE coalesce(e.timezone, 'UTC'))::date <= ${to}::date`,
      sql`((coalesce(e.end_date, e.start_date) AT TIME ZONE 'UTC') AT TIME ZONE coalesce(e.timezone, 'UTC'))::date >= ${from}::date`,
      eventVisibleTo(actor.id, sql`e`, sql`o`),
    ];
    if (args.city) where.push(sameCity(sql`e.city`, args.city));
    if (args.type) where.push(sql`lower(e.event_type) = lower(${args.type})`);
    if (args.near) {
      const radius = args.radiusKm ?? 25;
      where.push(inBoxes(sql`e.geo`, boundingBoxes(args.near, radius)), sql`${distanceKm(sql`e.geo`, args.near)} <= ${radius}::float8`);
    }
    const { rows } = await db.execute<{ id: number; title: string; type: string; starts: string; ends: string | null; timezone: string | null; venue: string | null; city: string | null; country: string | null }>(sql`
      SELECT e.id, e.title, e.event_type AS type, e.start_date::text AS starts, e.end_date::text AS ends, e.timezone,
        coalesce(e.venue, e.location) AS venue, e.city, e.country
      FROM events e JOIN users o ON o.id = e.user_id
      WHERE ${sql.join(where, sql` AND `)}
      ORDER BY e.start_date, e.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((e) => ({
      id: Number(e.id),
      title: e.title,
      type: e.type,
      startsAt: `${e.starts.replace(" ", "T")}Z`,
      endsAt: e.ends ? `${e.ends.replace(" ", "T")}Z` : null,
      timezone: e.timezone,
      venue: e.venue,
      city: e.city,
      country: e.country,
      link: links.to(`/events/${Number(e.id)}`),
    }));
  },
};

const findTeachers: Tool<typeof FindTeachersArgs> = {
  spec: {
    name: "find_teachers",
    description: "Tango teachers in the directory, by the city they are based in, a style, or words of their headline or name. Each has a link.",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, style: { type: "string", description: "e.g. salon, milonguero, nuevo" }, q: { type: "string" } },
      additionalProperties: false,
    },
  },
  args: FindTeachersArgs,
  async run({ db, actor }, args, links) {
    const where: SQL[] = [teacherVisibleTo(actor.id, sql`tp`)];
    if (args.city) where.push(sameCity(sql`tp.city`, args.city));
    if (args.style) where.push(sql`EXISTS (SELECT 1 FROM unnest(tp.styles) s WHERE lower(s) = lower(${args.style}))`);
    if (args.q) where.push(sql`(${contains(sql`tp.headline`, args.q)} OR ${contains(sql`tu.name`, args.q)})`);
    const { rows } = await db.execute<{ id: number; name: string; headline: string; city: string; country: string; styles: string[]; languages: string[] }>(sql`
      SELECT tp.id, tu.name, tp.headline, tp.city, tp.country, tp.styles, tp.languages
      FROM teacher_profiles tp JOIN users tu ON tu.id = tp.user_id
      WHERE ${sql.join(where, sql` AND `)} ORDER BY tp.review_count DESC, tp.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((r) => ({ ...r, id: Number(r.id), link: links.to(`/teachers/${Number(r.id)}`) }));
  },
};

const findVenues: Tool<typeof FindVenuesArgs> = {
  spec: {
    name: "find_venues",
    description: "Tango venues (salons, clubs where milongas happen) by city or name. Each has a link.",
    parameters: { type: "object", properties: { city: { type: "string" }, q: { type: "string" } }, additionalProperties: false },
  },
  args: FindVenuesArgs,
  async run({ db, actor }, args, links) {
    const where: SQL[] = [placeVisibleTo(actor.id, sql`v`, "created_by")];
    if (args.city) where.push(sameCity(sql`v.city`, args.city));
    if (args.q) where.push(contains(sql`v.name`, args.q));
    const { rows } = await db.execute<{ id: number; name: string; address: string; city: string; country: string; regular_nights: unknown }>(sql`
      SELECT v.id, v.name, v.address, v.city, v.country, v.regular_nights FROM venues v
      WHERE ${sql.join(where, sql` AND `)} ORDER BY v.name, v.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      address: r.address,
      city: r.city,
      country: r.country,
      regularNights: r.regular_nights ?? null,
      link: links.to(`/venues/${Number(r.id)}`),
    }));
  },
};

const findListings: Tool<typeof FindListingsArgs> = {
  spec: {
    name: "find_listings",
    description: "Places to stay offered by dancers in a city (housing), free for the dates when given, for the number of guests. Each has a link; never an exact address.",
    parameters: {
      type: "object",
      properties: {
        city: { type: "string" },
        checkIn: { type: "string", description: "YYYY-MM-DD" },
        checkOut: { type: "string", description: "YYYY-MM-DD (the morning they leave)" },
        guests: { type: "integer" },
      },
      required: ["city"],
      additionalProperties: false,
    },
  },
  args: FindListingsArgs,
  async run({ db, actor }, args, links) {
    if ((args.checkIn === undefined) !== (args.checkOut === undefined)) throw new ToolArgumentError("give both checkIn and checkOut, or neither");
    if (args.checkIn && args.checkOut && args.checkOut <= args.checkIn) throw new ToolArgumentError("checkOut must be after checkIn");
    const where: SQL[] = [sql`h.status = 'active'`, sameCity(sql`h.city`, args.city), homeVisibleTo(actor.id, sql`h`)];
    if (args.checkIn && args.checkOut) where.push(homeFreeDuring(sql`h`, args.checkIn, args.checkOut));
    if (args.guests) where.push(sql`h.max_guests >= ${args.guests}`);
    const { rows } = await db.execute<{ id: number; title: string; city: string; country: string; max_guests: number; price_per_night: number; currency: string }>(sql`
      SELECT h.id, h.title, h.city, h.country, h.max_guests, h.price_per_night, h.currency FROM host_homes h
      WHERE ${sql.join(where, sql` AND `)} ORDER BY h.price_per_night, h.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((r) => ({
      id: Number(r.id),
      title: r.title,
      city: r.city,
      country: r.country,
      maxGuests: Number(r.max_guests),
      pricePerNight: Number(r.price_per_night),
      currency: r.currency,
      link: links.to(`/housing/${Number(r.id)}`),
    }));
  },
};

const friendsInCity: Tool<typeof FriendsInCityArgs> = {
  spec: {
    name: "friends_in_city",
    description: "The dancer's own friends who live in a city (as their profiles say, when shown to friends). Each has a link.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  },
  args: FriendsInCityArgs,
  async run({ db, actor }, args, links) {
    // A friend's city is shown only when their profile is open to friends (public or friends-only).
    const { rows } = await db.execute<{ id: number; username: string; name: string; city: string }>(sql`
      SELECT fu.id, fu.username, fu.name, fu.city FROM ${friendsOf(actor.id)} mine
      JOIN users fu ON fu.id = mine.id LEFT JOIN user_settings fs ON fs.user_id = fu.id
      WHERE ${sameCity(sql`fu.city`, args.city)} AND ${accountUsable(sql`fu`)} AND coalesce(fs.profile_visibility, 'public') IN ('public', 'friends')
        AND ${notBlockedBetween(actor.id, sql`fu.id`)}
      ORDER BY fu.name, fu.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((r) => ({ id: Number(r.id), username: r.username, name: r.name, city: r.city, link: links.to(`/profile/${r.username}`) }));
  },
};

const myUpcomingRsvps: Tool<typeof NoArgs> = {
  spec: {
    name: "my_upcoming_rsvps",
    description: "The dancer's own answers (going, interested, waitlisted) to events that have not ended yet, soonest first. Each has a link.",
    parameters: { type: "object", properties: {}, additionalProperties: false },
  },
  args: NoArgs,
  async run({ db, actor, now }, _args, links) {
    const { rows } = await db.execute<{ id: number; title: string; starts: string; city: string | null; status: string }>(sql`
      SELECT e.id, e.title, e.start_date::text AS starts, e.city, r.status FROM event_rsvps r
      JOIN events e ON e.id = r.event_id JOIN users o ON o.id = e.user_id
      WHERE r.user_id = ${actor.id} AND r.status IN ('going', 'interested', 'waitlisted')
        AND coalesce(e.end_date, e.start_date) >= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
        AND ${eventVisibleTo(actor.id, sql`e`, sql`o`)}
      ORDER BY e.start_date, e.id LIMIT ${TOOL_ITEM_LIMIT}`);
    return rows.map((r) => ({
      id: Number(r.id),
      title: r.title,
      startsAt: `${r.starts.replace(" ", "T")}Z`,
      city: r.city,
      status: r.status,
      link: links.to(`/events/${Number(r.id)}`),
    }));
  },
};

/** A tool with its argument type erased, so tools of different arguments share a list. */
interface AnyTool {
  spec: AiToolSpec;
  args: z.ZodType<unknown>;
  run: (ctx: ActorCtx, args: never, links: Links) => Promise<unknown[]>;
}

/** Mr. Blue's tools, by the names the model calls them (part of the contract). */
export const MR_BLUE_TOOLS: readonly AnyTool[] = [findEvents, findTeachers, findVenues, findListings, friendsInCity, myUpcomingRsvps];
/** A Life CEO domain's only tool: what the dancer is going to. */
export const DOMAIN_TOOLS: readonly AnyTool[] = [myUpcomingRsvps];

export type ToolSet = readonly AnyTool[];

/**
 * Runs one tool call for the actor: the arguments are checked first (bad or unknown ones
 * give the model an error result it can correct, never a 500), then the tool's own query
 * with the actor's visibility.
 */
export async function runTool(ctx: ActorCtx, tools: ToolSet, call: AiToolCall): Promise<ToolResult> {
  const tool = tools.find((t) => t.spec.name === call.name);
  if (!tool) return { error: `unknown tool ${call.name}` };
  const parsed = tool.args.safeParse(call.arguments ?? {});
  if (!parsed.success) {
    return { error: `bad arguments: ${parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`).join("; ")}` };
  }
  const base = ctx.config.APP_URL.replace(/\/+$/, "");
  try {
    const items = await tool.run(ctx, parsed.data as never, { to: (path) => `${base}${path}` });
    return { items, count: items.length };
  } catch (error) {
    if (error instanceof ToolArgumentError) return { error: `bad arguments: ${error.message}` };
    throw error;
  }
}
