import { conflict, forbidden } from "../../lib/errors";

/** Photo refusals, by the outcome the photo statement reports. */
export const PHOTO_REFUSALS = {
  not_attendee: () =>
    forbidden("Only dancers at the event (checked in or going) and its organizers may add photos.", "not_attendee"),
  cancelled: () => conflict("event_cancelled", "The event was cancelled: it has no photos to add."),
} as const;

export const mayNotDeletePhoto = () =>
  forbidden("Only the photo's author or the event's organizers may remove it.", "photo_delete_forbidden");
