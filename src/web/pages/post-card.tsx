/**
 * A post as the feed, a profile and the post page show it: the author, the time, the text and
 * photo, the like button (optimistic, then corrected by the API's `{liked, likes}`), and the
 * comments, opened on demand. A share shows who shared it and their comment above the post.
 */
import "./post-card.css";
import type { InferResponseType } from "hono/client";
import { useRef, useState } from "hono/jsx/dom";
import { api, newClientId, ok } from "../api";
import { href } from "../router";
import { Avatar, LoadMore, type Pages, ProblemMessage, Submit, TimeAgo, fieldValue, useFormAction, usePages } from "../ui";

export type FeedItem = InferResponseType<typeof api.api.feed.$get, 200>["items"][number];
export type Post = FeedItem["post"];
type Comment = InferResponseType<(typeof api.api.posts)[":id"]["comments"]["$get"], 200>["items"][number];

/** Changes a post wherever it is shown (a post and its shares are separate items of a list). */
export type UpdatePost = (id: number, update: (post: Post) => Post) => void;

/** Adds items to a list, leaving out those it has (a page may overlap what is shown). */
export function addItems(current: FeedItem[], more: FeedItem[], atTop = false): FeedItem[] {
  const fresh = more.filter((item) => !current.some((c) => c.id === item.id));
  return atTop ? [...fresh, ...current] : [...current, ...fresh];
}

/** Applies `update` to every item showing post `id`. */
export function updateItems(items: FeedItem[], id: number, update: (post: Post) => Post): FeedItem[] {
  return items.map((item) => (item.post.id === id ? { ...item, post: update(item.post) } : item));
}

/**
 * An `Idempotency-Key` per body sent: the same body sent again (a retry after a lost answer)
 * keeps its key, so the API makes it once; `sent()` forgets it once the answer is in.
 */
export function useRetryKey(): { keyFor: (body: unknown) => string; sent: () => void } {
  const attempt = useRef<{ body: string; key: string } | null>(null);
  return {
    keyFor: (body) => {
      const text = JSON.stringify(body);
      if (attempt.current?.body !== text) attempt.current = { body: text, key: newClientId() };
      return attempt.current.key;
    },
    sent: () => {
      attempt.current = null;
    },
  };
}

const VISIBILITY_LABEL: Record<string, string> = { friends: "Friends only", private: "Only you", group: "Group" };

function LikeButton({ post, onUpdate }: { post: Post; onUpdate: UpdatePost }) {
  const [error, setError] = useState<unknown>(null);
  // Only the answer to the latest click counts: an earlier one may arrive after it.
  const latest = useRef(0);
  const toggle = () => {
    const like = !post.viewer.liked;
    const round = ++latest.current;
    setError(null);
    onUpdate(post.id, (p) => ({ ...p, likes: Math.max(0, p.likes + (like ? 1 : -1)), viewer: { ...p.viewer, liked: like } }));
    const param = { param: { id: String(post.id) } };
    ok(like ? api.api.posts[":id"].like.$post(param) : api.api.posts[":id"].like.$delete(param)).then(
      (state) => round === latest.current && onUpdate(post.id, (p) => ({ ...p, likes: state.likes, viewer: { ...p.viewer, liked: state.liked } })),
      (error: unknown) => {
        if (round !== latest.current) return;
        onUpdate(post.id, (p) => ({ ...p, likes: Math.max(0, p.likes + (like ? -1 : 1)), viewer: { ...p.viewer, liked: !like } }));
        setError(error);
      },
    );
  };
  return (
    <>
      <button type="button" class="secondary small like" aria-pressed={post.viewer.liked ? "true" : "false"} onClick={toggle}>
        <span aria-hidden="true">{post.viewer.liked ? "♥" : "♡"}</span> Like <span class="count">{post.likes}</span>
      </button>
      <ProblemMessage error={error} />
    </>
  );
}

function CommentItem({ comment }: { comment: Comment }) {
  return (
    <li class="comment" data-testid="comment">
      <Avatar name={comment.author.name} src={comment.author.profileImage} size={28} />
      <div class="grow">
        <p class="meta">
          <a href={href.profile(comment.author.username)}>{comment.author.name}</a> · <TimeAgo at={comment.createdAt} />
          {comment.edited ? " · edited" : ""}
        </p>
        <p class="text">{comment.content}</p>
        {comment.replyCount > 0 && (
          <p class="muted small">
            {comment.replyCount} {comment.replyCount === 1 ? "reply" : "replies"}
          </p>
        )}
      </div>
    </li>
  );
}

/** The post's top-level comments, oldest first by cursor pages, and the form to add one. */
export function Comments({ post, onUpdate }: { post: Post; onUpdate: UpdatePost }) {
  const { items, setItems, cursor, busy, error, more } = usePages<Comment>((cursor) =>
    ok(api.api.posts[":id"].comments.$get({ param: { id: String(post.id) }, query: { limit: "20", ...(cursor ? { cursor } : {}) } })),
  );
  const inputId = `comment-${post.id}`;
  const retry = useRetryKey();

  const send = useFormAction(async (form) => {
    const json = { content: fieldValue(form, "content") };
    const comment = await ok(api.api.posts[":id"].comments.$post({ param: { id: String(post.id) }, json, header: { "idempotency-key": retry.keyFor(json) } }));
    retry.sent();
    // Shown at the end, where it sorts (oldest first); a later page never repeats it.
    setItems((current) => [...current.filter((c) => c.id !== comment.id), comment]);
    onUpdate(post.id, (p) => ({ ...p, comments: p.comments + 1 }));
    form.reset();
  });

  return (
    <div class="comments">
      <ProblemMessage error={error} />
      {items.length === 0 && cursor === null && <p class="muted small">No comments yet.</p>}
      <ul class="plain" aria-live="polite">
        {items.map((c) => (
          <CommentItem key={c.id} comment={c} />
        ))}
      </ul>
      {cursor && (
        <button type="button" class="link" disabled={busy} onClick={more}>
          {busy ? "Loading…" : "Earlier comments"}
        </button>
      )}
      <form class="comment-form" onSubmit={send.onSubmit} novalidate>
        <label for={inputId}>Add a comment</label>
        <textarea id={inputId} name="content" rows={2} maxLength={2000} />
        <ProblemMessage error={send.error} />
        <Submit busy={send.busy}>Comment</Submit>
      </form>
    </div>
  );
}

/** One post (or share) card; `open` shows the comments from the start (the post page). */
export function PostCard({ item, onUpdate, open = false }: { item: Pick<FeedItem, "post" | "share">; onUpdate: UpdatePost; open?: boolean }) {
  const { post, share } = item;
  const [showComments, setShowComments] = useState(open);
  const commentsId = `comments-${share ? `s${share.id}` : post.id}`;
  const visibility = VISIBILITY_LABEL[post.visibility];
  return (
    <article class="card post" data-testid="post" data-post-id={post.id} aria-labelledby={`${commentsId}-by`}>
      {share && (
        <p class="shared-by">
          <a href={href.profile(share.user.username)}>{share.user.name}</a> shared this · <TimeAgo at={share.createdAt} />
          {share.comment && <span class="share-comment">{share.comment}</span>}
        </p>
      )}
      <header class="row">
        <Avatar name={post.author.name} src={post.author.profileImage} />
        <div class="grow">
          <a id={`${commentsId}-by`} class="author" href={href.profile(post.author.username)}>
            {post.author.name}
          </a>
          <p class="meta">
            <a href={href.post(post.id)} aria-label={`Open post by ${post.author.name}`}>
              <TimeAgo at={post.createdAt} />
            </a>
            {visibility && <span class="visibility"> · {visibility}</span>}
            {post.edited && " · edited"}
          </p>
        </div>
      </header>
      <p class="content">{post.content}</p>
      {post.imageUrl && <img class="post-image" src={post.imageUrl} alt={`Photo posted by ${post.author.name}`} loading="lazy" />}
      <div class="actions row">
        <LikeButton post={post} onUpdate={onUpdate} />
        <button
          type="button"
          class="secondary small"
          aria-expanded={showComments ? "true" : "false"}
          aria-controls={commentsId}
          onClick={() => setShowComments((s) => !s)}
        >
          Comments <span class="count">{post.comments}</span>
        </button>
        {!open && (
          <a class="small" href={href.post(post.id)}>
            View post
          </a>
        )}
      </div>
      <div id={commentsId}>{showComments && <Comments post={post} onUpdate={onUpdate} />}</div>
    </article>
  );
}

/** Post cards read by cursor, more loading as the list scrolls; a change to a post shows in every item of it (the post and its shares). */
export function PostList({ pages }: { pages: Pages<FeedItem> }) {
  const update: UpdatePost = (id, change) => pages.setItems((current) => updateItems(current, id, change));
  return (
    <>
      <div class="posts" aria-busy={pages.busy ? "true" : "false"}>
        {pages.items.map((item) => (
          <PostCard key={item.id} item={item} onUpdate={update} />
        ))}
      </div>
      {pages.cursor !== undefined && <LoadMore onMore={pages.more} busy={pages.busy} done={pages.cursor === null} />}
    </>
  );
}
