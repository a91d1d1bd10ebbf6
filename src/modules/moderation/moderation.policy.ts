import { AppError, conflict, forbidden, notFound } from "../../lib/errors";
import type { ModerationTarget } from "./moderation.schemas";

/** Moderators are role level 5 (Admin) and up. */
export const MODERATOR_LEVEL = 5;

/**
 * Distinct reporters after which reported content (a post, a comment, a group) is hidden pending review. Users are never
 * suspended automatically: a reported user stays queued until a moderator decides.
 */
export const AUTO_HIDE_THRESHOLD = 3;

/** At most this many reports and actions come with one queue item (`reportCount` has the total). */
export const ITEM_DETAIL_LIMIT = 100;

/** What a moderator may decide for a queue item. */
export const RESOLVE_ACTIONS = ["hide", "remove", "unhide", "suspend", "none"] as const;
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

/**
 * The targets each decision applies to: content is hidden, shown again or removed; an account
 * is suspended (for content, its author's; for an event, its organizer's).
 */
export const ACTION_TARGETS: Record<ResolveAction, readonly ModerationTarget[]> = {
  hide: ["post", "comment", "event", "group"],
  unhide: ["post", "comment", "event", "group"],
  remove: ["post", "comment", "event", "group"],
  suspend: ["post", "comment", "user", "event"],
  none: ["post", "comment", "user", "event", "group"],
};

const SELF_REPORT: Record<ModerationTarget, string> = {
  post: "You cannot report your own post.",
  comment: "You cannot report your own comment.",
  user: "You cannot report yourself.",
  group: "You cannot report a group you created.",
  event: "You cannot report your own event.",
};

/** Reporting yourself or your own content makes no sense to a moderator. */
export function selfReportError(target: ModerationTarget): AppError {
  return new AppError(400, "cannot_report_self", SELF_REPORT[target]);
}

/** One report per reporter and target: a second is refused, the first stands. */
export function alreadyReportedError(): AppError {
  return conflict("already_reported", "You already reported this.");
}

/** Why a queue decision (claim, resolve, dismiss) was not taken, read from the item as it stood. */
export type DecisionRefusal = "missing" | "closed" | "claimed_by_other" | "not_applicable" | "outranks";

export function decisionError(refusal: DecisionRefusal, action?: ResolveAction): AppError {
  switch (refusal) {
    case "missing":
      return notFound("queue item");
    case "closed":
      return conflict("queue_item_closed", "This queue item was already resolved or dismissed.");
    case "claimed_by_other":
      return conflict("claimed_by_other", "Another moderator has claimed this queue item.");
    case "not_applicable":
      return new AppError(400, "action_not_applicable", `The action "${action}" does not apply to this target.`);
    case "outranks":
      return forbidden("This account's role is at or above yours.", "user_outranks_you");
  }
}
