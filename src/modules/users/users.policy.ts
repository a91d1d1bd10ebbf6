import type { PROFILE_VISIBILITIES } from "../../../drizzle/identity";

export type ProfileVisibility = (typeof PROFILE_VISIBILITIES)[number];

/**
 * How much of a profile a viewer sees, once blocks and account status have let them see
 * it at all: the owner always sees it whole; "friends" opens it to active friends only;
 * "private" shows everyone else the card, so that a profile can still be found and named.
 */
export function profileAccess(input: {
  visibility: ProfileVisibility;
  isOwner: boolean;
  isFriend: boolean;
}): "full" | "card" {
  if (input.isOwner || input.visibility === "public") return "full";
  if (input.visibility === "friends" && input.isFriend) return "full";
  return "card";
}
