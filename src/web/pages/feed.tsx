/**
 * The home feed (compose at the top, then posts and shares by cursor pages, loaded as the
 * dancer scrolls) and a single post's page with its comments.
 */
import { useCallback, useEffect, useState } from "hono/jsx/dom";
import { ApiError, type Me, api, ok } from "../api";
import { href } from "../router";
import { LoadMore, PageTitle, ProblemMessage, useLoad } from "../ui";
import { type FeedItem, type Post, PostCard, addItems, updateItems } from "./post-card";
import { Compose } from "./post-compose";

export function FeedPage(_props: { user: Me }) {
  const [items, setItems] = useState<FeedItem[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const more = useCallback(() => {
    if (busy || cursor === null) return;
    setBusy(true);
    ok(api.api.feed.$get({ query: { limit: "20", ...(cursor ? { cursor } : {}) } }))
      .then((page) => {
        setItems((current) => addItems(current, page.items));
        setCursor(page.nextCursor);
        setError(null);
      }, setError)
      .finally(() => setBusy(false));
  }, [busy, cursor]);

  useEffect(() => more(), []);

  const posted = (post: Post) => setItems((current) => addItems(current, [{ type: "post", id: `post:${post.id}`, at: post.createdAt, post, share: null }], true));
  const update = (id: number, change: (post: Post) => Post) => setItems((current) => updateItems(current, id, change));

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
      <div class="posts" aria-busy={busy ? "true" : "false"}>
        {items.map((item) => (
          <PostCard key={item.id} item={item} onUpdate={update} />
        ))}
      </div>
      {cursor !== undefined && <LoadMore onMore={more} busy={busy} done={cursor === null} />}
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
