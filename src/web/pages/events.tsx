/** Events near me and an event's page. (Placeholder: being written.) */
import type { Me } from "../api";
import { PageTitle } from "../ui";

export function EventsPage(_props: { user: Me }) {
  return <PageTitle>Events</PageTitle>;
}

export function EventPage(_props: { id: number; user: Me }) {
  return <PageTitle>Event</PageTitle>;
}
