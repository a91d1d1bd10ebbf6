/** A dancer's profile. (Placeholder: being written.) */
import type { Me } from "../api";
import { PageTitle } from "../ui";

export function ProfilePage(_props: { username: string; user: Me }) {
  return <PageTitle>Profile</PageTitle>;
}
