import { z } from "@hono/zod-openapi";
import { MODERATION_TARGETS, QUEUE_STATUSES, REPORT_REASONS } from "../../../drizzle/moderation";
import { PageQuery } from "../../lib/pagination";
import { multiLine } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import { type UserCard, UserCardSchema } from "../users";
import { RESOLVE_ACTIONS } from "./moderation.policy";

export const ModerationTargetSchema = z.enum(MODERATION_TARGETS).openapi({ description: "What is reported" });
export type ModerationTarget = z.infer<typeof ModerationTargetSchema>;

export const ReportReasonSchema = z.enum(REPORT_REASONS).openapi({ description: "Why, from the fixed list" });
export type ReportReason = z.infer<typeof ReportReasonSchema>;

export const REPORT_DETAILS_MAX = 1000;
export const NOTE_MAX = 1000;

export const ReportBody = z
  .object({
    reason: ReportReasonSchema,
    details: multiLine(REPORT_DETAILS_MAX).optional().openapi({ description: "What the moderators should know" }),
  })
  .openapi("ReportBody");

/** A report as its reporter sees it: nothing about the queue or other reporters. */
export const ReportSchema = z
  .object({
    id: z.number().int(),
    targetType: ModerationTargetSchema,
    targetId: z.number().int(),
    reason: ReportReasonSchema,
    details: z.string().nullable(),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Report");
export type Report = z.infer<typeof ReportSchema>;

/** What the list asks for: `open` (pending and claimed, the default) or one status. */
export const QueueQuery = PageQuery.extend({
  status: z
    .enum(["open", ...QUEUE_STATUSES])
    .default("open")
    .openapi({ description: "`open` (pending and claimed, the default), or one status" }),
});

/** The reported thing as it is now, for the moderator: gone once deleted. */
export const TargetSnapshotSchema = z
  .object({
    type: ModerationTargetSchema,
    id: z.number().int(),
    exists: z.boolean().openapi({ description: "False once the post, comment, account, event or group is deleted" }),
    owner: UserCardSchema.nullable().openapi({ description: "The author of the post or comment, the reported user, or the event's organizer" }),
    content: z.string().nullable().openapi({ description: "The post's or comment's text, the event's title or the group's name (null for a user)" }),
    postId: z.number().int().nullable().openapi({ description: "The post a comment is on (the post's own id for a post)" }),
    hidden: z.boolean().openapi({ description: "Hidden pending review, or by a moderator" }),
    suspended: z.boolean().openapi({ description: "Whether the owner's account is suspended" }),
  })
  .openapi("ModerationTarget");

export const QueueItemSchema = z
  .object({
    id: z.number().int(),
    status: z.enum(QUEUE_STATUSES),
    target: TargetSnapshotSchema,
    reportCount: z.number().int().openapi({ description: "Distinct reporters" }),
    reasons: z.record(z.string(), z.number().int()).openapi({ description: "Reports per reason, e.g. {\"spam\": 2}" }),
    claimedBy: UserCardSchema.nullable(),
    claimedAt: z.string().nullable(),
    resolvedBy: UserCardSchema.nullable(),
    resolvedAt: z.string().nullable(),
    resolution: z.string().nullable().openapi({ description: "The action taken, or `dismiss`" }),
    createdAt: z.string().openapi({ format: "date-time" }),
    updatedAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("ModerationQueueItem");
export type QueueItem = z.infer<typeof QueueItemSchema>;

export const ReportEntrySchema = z
  .object({
    id: z.number().int(),
    reporter: UserCardSchema,
    reason: z.string(),
    details: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi("ModerationReport");

export const ModerationActionSchema = z
  .object({
    id: z.number().int(),
    action: z.string().openapi({ description: "claim, auto_hide, hide, unhide, remove, suspend, none or dismiss" }),
    moderator: UserCardSchema.nullable().openapi({ description: "Null for what the system did (auto_hide)" }),
    note: z.string().nullable(),
    snapshot: z.unknown().nullable().openapi({ description: "The content as it was, for a removal" }),
    createdAt: z.string(),
  })
  .openapi("ModerationAction");
export type ModerationAction = z.infer<typeof ModerationActionSchema>;

export const QueueItemDetailSchema = QueueItemSchema.extend({
  reports: z.array(ReportEntrySchema).openapi({ description: "The first 100 reports, oldest first" }),
  actions: z.array(ModerationActionSchema).openapi({ description: "The first 100 actions, oldest first" }),
}).openapi("ModerationQueueItemDetail");
export type QueueItemDetail = z.infer<typeof QueueItemDetailSchema>;

const Note = multiLine(NOTE_MAX).optional().openapi({ description: "Why, for the record" });

export const ResolveBody = z
  .object({
    action: z.enum(RESOLVE_ACTIONS).openapi({
      description: "hide / unhide / remove the post or comment; suspend the user (or the content's author); none",
    }),
    note: Note,
  })
  .openapi("ResolveBody");

export const DismissBody = z.object({ note: Note }).openapi("DismissBody");

export const DecisionSchema = z
  .object({
    item: z.object({
      id: z.number().int(),
      status: z.enum(QUEUE_STATUSES),
      resolution: z.string().nullable(),
      resolvedAt: z.string().nullable(),
    }),
    action: ModerationActionSchema,
    applied: z.boolean().openapi({
      description:
        "Whether the decision reached the target: hidden, removed or suspended now (false when it already " +
        "was, or is gone); for unhide and dismiss, shown again (false when gone, or nothing was hidden by the reports)",
    }),
  })
  .openapi("ModerationDecision");
export type Decision = z.infer<typeof DecisionSchema>;

/** A user card as SQL builds it with `json_build_object` (see queue.service.ts). */
export interface CardJson {
  id: number;
  username: string;
  name: string;
  profileImage: string | null;
}

export function toCard(card: CardJson | null): UserCard | null {
  return card === null ? null : { id: Number(card.id), username: card.username, name: card.name, profileImage: card.profileImage };
}

export interface ReportRow extends Record<string, unknown> {
  id: number;
  target_type: string;
  target_id: number;
  reason: string;
  details: string | null;
  created_at: string;
}

export function toReport(row: ReportRow): Report {
  return {
    id: Number(row.id),
    targetType: row.target_type as ModerationTarget,
    targetId: Number(row.target_id),
    reason: row.reason as ReportReason,
    details: row.details,
    createdAt: isoUtc(row.created_at),
  };
}

export interface ActionJson {
  id: number;
  action: string;
  moderator: CardJson | null;
  note: string | null;
  snapshot: unknown;
  created_at: string;
}

export function toAction(row: ActionJson): ModerationAction {
  return {
    id: Number(row.id),
    action: row.action,
    moderator: toCard(row.moderator),
    note: row.note,
    snapshot: row.snapshot ?? null,
    createdAt: isoUtc(row.created_at),
  };
}
