/** Chat rooms and a room. (Placeholder: being written.) */
import type { Me } from "../api";
import { PageTitle } from "../ui";

export function ChatPage(_props: { user: Me }) {
  return <PageTitle>Chat</PageTitle>;
}

export function RoomPage(_props: { id: number; user: Me }) {
  return <PageTitle>Room</PageTitle>;
}
