import { z } from "@hono/zod-openapi";
import { isMultiLine, MULTI_LINE_MESSAGE, singleLine } from "../../lib/text";

/** The caps of one batch of client events (the body as a whole is capped in bytes too). */
export const ANALYTICS_LIMITS = {
  /** Request body, in bytes: over it is 413 before the body is read. */
  bodyBytes: 64 * 1024,
  eventsPerBatch: 100,
  properties: 20,
  stringValue: 200,
  /** How old an event's time may be (a client that was offline flushes its queue late). */
  maxAgeMs: 7 * 24 * 60 * 60 * 1000,
  /** How far ahead of the server's clock an event's time may be (client clocks drift). */
  maxAheadMs: 5 * 60 * 1000,
} as const;

const PropertyValue = z.union([
  z
    .string()
    .max(ANALYTICS_LIMITS.stringValue)
    .refine(isMultiLine, { message: MULTI_LINE_MESSAGE, abort: true }),
  z.number(),
  z.boolean(),
  z.null(),
]);

export const ClientEventSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9_.]{1,64}$/, "1-64 characters: a-z, 0-9, underscore, dot")
      .openapi({ example: "feed.scroll" }),
    properties: z
      .record(z.string().regex(/^[A-Za-z0-9_.]{1,64}$/, "Property names: 1-64 characters A-Z, a-z, 0-9, underscore, dot"), PropertyValue)
      .refine((props) => Object.keys(props).length <= ANALYTICS_LIMITS.properties, `At most ${ANALYTICS_LIMITS.properties} properties`)
      .optional()
      .openapi({
        description: `A flat object: at most ${ANALYTICS_LIMITS.properties} keys, values strings (≤ ${ANALYTICS_LIMITS.stringValue} characters), numbers, booleans or null`,
        example: { screen: "feed", depth: 3 },
      }),
    time: z.iso
      .datetime({ offset: true })
      .openapi({ description: "When it happened on the client (ISO 8601): at most 7 days ago, at most 5 minutes ahead" }),
  })
  .strict()
  .openapi("ClientEvent");

export type ClientEvent = z.infer<typeof ClientEventSchema>;

export const ClientEventBatch = z
  .object({ events: z.array(ClientEventSchema).min(1).max(ANALYTICS_LIMITS.eventsPerBatch) })
  .openapi("ClientEventBatch");

export const AcceptedSchema = z.object({ accepted: z.number().int() }).openapi("AcceptedEvents");

const IsoDay = z.iso
  .date({ abort: true })
  .refine((date) => date >= "2000-01-01" && date <= "2100-12-31", "A date between 2000 and 2100")
  .openapi({ example: "2026-12-03" });

export const StatsQuery = z.object({
  from: IsoDay.optional().openapi({ description: "First day (UTC, inclusive); default: 29 days before `to`" }),
  to: IsoDay.optional().openapi({ description: "Last day (UTC, inclusive); default: today" }),
  city: singleLine(100)
    .optional()
    .openapi({ description: "A city as dancers' profiles store it (exact match); none or empty: the whole platform" }),
});

const Figures = {
  activeDancers: z.number().int().openapi({ description: "Distinct dancers with a client event, a post, an RSVP or a chat message that day" }),
  newRegistrations: z.number().int(),
  posts: z.number().int(),
  rsvps: z.number().int(),
  messages: z.number().int(),
  clientEvents: z.number().int(),
};

export const DailyStatsSchema = z
  .object({
    day: z.string().openapi({ format: "date", example: "2026-12-03" }),
    ...Figures,
    rolledUpAt: z
      .string()
      .nullable()
      .openapi({ description: "When the roll-up last computed this day; null: not rolled up (the figures read 0)" }),
  })
  .openapi("DailyStats");

export const StatsSchema = z
  .object({
    from: z.string().openapi({ format: "date" }),
    to: z.string().openapi({ format: "date" }),
    city: z.string().openapi({ description: "Empty: the whole platform" }),
    days: z.array(DailyStatsSchema),
    totals: z.object({
      activeDancersPeak: z.number().int().openapi({ description: "The highest daily figure (distinct dancers do not add up across days)" }),
      newRegistrations: z.number().int(),
      posts: z.number().int(),
      rsvps: z.number().int(),
      messages: z.number().int(),
      clientEvents: z.number().int(),
    }),
  })
  .openapi("PlatformStats");

export type Stats = z.infer<typeof StatsSchema>;
