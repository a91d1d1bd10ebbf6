import { AppError, conflict, forbidden, notFound } from "../../lib/errors";

/**
 * The refusal for an action on a group, from what its statement saw: a group the actor may not
 * see is a 404 (whether or not it exists); one they see but may not change a 403.
 */
export function groupActionError(seen: { found: boolean; allowed: boolean }, refusal: () => AppError): AppError | null {
  if (!seen.found) return notFound("group");
  if (seen.allowed) return null;
  return refusal();
}

export const notGroupAdminError = () => forbidden("Only the group's admins do this.", "not_group_admin");

export const notGroupManagerError = () => forbidden("Only the group's admins and moderators do this.", "not_group_manager");

export const notGroupMemberError = () => forbidden("Only the group's members see and write its posts and members.", "not_group_member");

export const notGroupOwnerError = () => forbidden("Only the group's creator or an admin deletes it.", "not_group_owner");

/** City communities belong to their city: made and joined by profiles, never deleted by a dancer. */
export const cityCommunityError = () => forbidden("A city community cannot be deleted.", "city_community");

/** A group always keeps an admin: the last one promotes someone first, or deletes the group. */
export const lastAdminError = () =>
  conflict("last_admin", "The group's last admin cannot leave or step down: make another member an admin first, or delete the group.");

export const noSuchMemberError = () => new AppError(404, "not_found", "No such member of this group.");

export const noSuchRequestError = () => new AppError(404, "not_found", "No such request to join this group.");

/** The refusal for a write into a group, from its `group_access` (see `groupAccessCte`). */
export function groupWriteError(access: { found: boolean; member: boolean }): AppError | null {
  return groupActionError({ found: access.found, allowed: access.member }, notGroupMemberError);
}
