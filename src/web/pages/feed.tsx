/**
 * The home feed (compose at the top, then posts and shares by cursor pages, loaded as the
 * dancer scrolls) and a single post's page with its comments.
 */
import { ApiError, type Me, api, ok } from "../api";
import { href } from "../router";
import { PageTitle, ProblemMessage, useLoad, usePages } from "../ui";
import { type FeedItem, type Post, PostCard, PostList, addItems } from "./post-card";
import { Compose } from "./post-compose";

export function FeedPage(_props: { user: Me }) {
  const pages = usePages<FeedItem>((cursor) =>
    ok(api.api.feed.$get({ query: { limit: "20", ...(cursor ? { cursor } : {}) } })),
  );

  const { items, cursor, busy, error } = pages;
  const posted = (post: Post) => pages.setItems((current) => addItems(current, [{ type: "post", id: `post:${post.id}`, at: post.createdAt, post, share: null }], true));

  return (
    <section class="feed">
      <PageTitle>Your feed</PageTitle>
      <Compose onPosted={posted} />
      <ProblemMessage error={error} />
      {items.length === 0 && cursor === null && (
        <p class="empty">Nothing here yet. Post something, or follow dancers from their profiles to see what they share.</p>
      )}
      {items.length === 0 && cursor === undefined && busy && (
        <p class="loading" role="status">
          Loading your feed…
        </p>
      )}
      <PostList pages={pages} />
    </section>
  );
}

export function PostPage({ id }: { id: number; user: Me }) {
  const post = useLoad(() => ok(api.api.posts[":id"].$get({ param: { id: String(id) } })), [id]);
  const update = (_id: number, change: (post: Post) => Post) => post.set((current) => current && change(current));

  if (post.error instanceof ApiError && post.error.status === 404) {
    return (
      <section>
        <PageTitle>Post not found</PageTitle>
        <ProblemMessage error={post.error} />
        <p>
          It may have been deleted, or it is not shared with you. <a href={href.feed()}>Back to your feed</a>
        </p>
      </section>
    );
  }
  return (
    <section>
      <PageTitle>{post.data ? `Post by ${post.data.author.name}` : "Post"}</PageTitle>
      <ProblemMessage error={post.error} />
      {post.loading && !post.data && (
        <p class="loading" role="status">
          Loading the post…
        </p>
      )}
      {post.data && <PostCard item={{ post: post.data, share: null }} onUpdate={update} open />}
    </section>
  );
}
