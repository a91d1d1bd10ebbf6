import { AppError, conflict, forbidden, notFound } from "../../lib/errors";

/** How long before a task's start its volunteers may check themselves in. */
export const CHECK_IN_OPENS_MINUTES = 60;

/**
 * The refusals of the volunteer statements, by the outcome each statement reports: the
 * statement decides (against the rows as they are when it runs), the service throws.
 */
export const REFUSALS = {
  not_found: () => notFound("volunteer task"),
  application_not_found: () => notFound("application"),
  event_not_found: () => notFound("event"),
  group_not_found: () => notFound("group"),
  experience_not_found: () => notFound("experience"),
  no_profile: () => conflict("no_volunteer_profile", "Create your volunteer profile first (PUT /api/volunteer/profile)."),
  not_organizer: () => forbidden("Only the task's organizers may do this.", "not_task_organizer"),
  not_event_organizer: () => forbidden("Only the event's organizers may post tasks for it.", "not_event_organizer"),
  not_group_admin: () => forbidden("Only the group's admins may post tasks for it.", "not_group_admin"),
  not_allowed_to_post: () =>
    forbidden("Tasks are posted for an event you organize or a group you administer (or by a platform admin).", "not_task_organizer"),
  organizer_cannot_apply: () => forbidden("Organizers do not apply to their own task.", "organizer_cannot_apply"),
  not_volunteer: () => forbidden("Only the volunteer may do this.", "not_application_volunteer"),
  task_not_open: () => conflict("task_not_open", "The task is cancelled or completed."),
  task_started: () => conflict("task_started", "The task has already started."),
  task_ended: () => conflict("task_ended", "The task is over."),
  task_not_started: () => conflict("task_not_started", "The task has not started yet."),
  task_full: () => conflict("task_full", "Every seat of the task is taken."),
  already_applied: () => conflict("already_applied", "You have already applied to this task."),
  seats_below_taken: () => conflict("seats_below_taken", "The task already has more volunteers accepted than that."),
  check_in_not_open: () => conflict("check_in_not_open", `Check-in opens ${CHECK_IN_OPENS_MINUTES} minutes before the start and closes at the end.`),
  wrong_status: () => conflict("application_status", "The application is not in a state that allows this."),
  too_many_experiences: () => conflict("too_many_experiences", "The resume holds at most 50 entries."),
  ends_before_start: () => new AppError(400, "ends_before_start", "The end must be after the start."),
  task_too_long: () => new AppError(400, "task_too_long", "A task lasts at most 7 days."),
  starts_in_past: () => new AppError(400, "starts_in_past", "The task must start in the future."),
  ended_before_started: () => new AppError(400, "ended_before_started", "The end must not be before the start."),
} as const;

export type Refusal = keyof typeof REFUSALS;

/** Throws the refusal a statement reported, unless it was `ok`. */
export function refuseUnlessOk(outcome: string): void {
  if (outcome === "ok") return;
  const refuse = REFUSALS[outcome as Refusal];
  if (!refuse) throw new Error(`unknown outcome ${outcome}`);
  throw refuse();
}

export const nothingToChange = () =>
  new AppError(400, "validation_failed", "The request is not valid: body.", { errors: [{ path: "body", message: "Give at least one field" }] });
