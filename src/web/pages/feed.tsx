/** The home feed and a single post. (Placeholder: being written.) */
import type { Me } from "../api";
import { PageTitle } from "../ui";

export function FeedPage(_props: { user: Me }) {
  return <PageTitle>Feed</PageTitle>;
}

export function PostPage(_props: { id: number; user: Me }) {
  return <PageTitle>Post</PageTitle>;
}
