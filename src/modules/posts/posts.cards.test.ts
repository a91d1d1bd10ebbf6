import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { bookmarks, editHistory, postShares, posts } from "../../../drizzle/schema";
import { createPost, createUser, likePost } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { postCardColumns, toPost, type PostCardRow } from "./index";

const t = await useTestDatabase();

async function card(viewerId: number | null, postId: number) {
  const { rows } = await t.db.execute<PostCardRow>(sql`
    SELECT ${postCardColumns(viewerId, sql`p`, sql`a`)}
    FROM posts p JOIN users a ON a.id = p.user_id WHERE p.id = ${postId}`);
  return toPost(rows[0]!);
}

describe("postCardColumns + toPost", () => {
  it("shapes the author card, content, counters and the viewer's own like, bookmark and share", async () => {
    const author = await createUser(t.db, { profileImage: "https://x.test/a.jpg" });
    const viewer = await createUser(t.db);
    const post = await createPost(t.db, {
      userId: author.id,
      content: "Milonga tonight #Tango",
      hashtags: ["tango"],
      mediaEmbeds: [{ provider: "youtube", url: "https://www.youtube.com/watch?v=abc" }],
      coordinates: { lat: -34.6, lng: -58.4 },
      visibility: "friends",
    });
    await likePost(t.db, post.id, viewer.id);
    await t.db.insert(bookmarks).values({ userId: viewer.id, postId: post.id });

    const seen = await card(viewer.id, post.id);
    expect(seen).toMatchObject({
      id: post.id,
      author: { id: author.id, username: author.username, name: author.name, profileImage: "https://x.test/a.jpg" },
      content: "Milonga tonight #Tango",
      hashtags: ["tango"],
      mediaEmbeds: [{ provider: "youtube", url: "https://www.youtube.com/watch?v=abc" }],
      coordinates: { lat: -34.6, lng: -58.4 },
      visibility: "friends",
      likes: 1,
      comments: 0,
      edited: false,
      hidden: false,
      viewer: { liked: true, bookmarked: true, shared: false },
    });
    expect(seen.createdAt).toMatch(/Z$/);

    await t.db.insert(postShares).values({ postId: post.id, userId: viewer.id });
    expect((await card(viewer.id, post.id)).viewer).toEqual({ liked: true, bookmarked: true, shared: true });
    expect((await card(author.id, post.id)).viewer).toEqual({ liked: false, bookmarked: false, shared: false });
    expect((await card(null, post.id)).viewer).toEqual({ liked: false, bookmarked: false, shared: false });
  });

  it("says edited once an edit is recorded, hidden while moderation hides it, and shapes odd legacy values safely", async () => {
    const author = await createUser(t.db);
    const post = await createPost(t.db, { userId: author.id, visibility: "circle", mediaEmbeds: "not a list", coordinates: [1, 2] });
    await t.db.insert(editHistory).values({ postId: post.id, editorId: author.id, previousContent: "before" });
    await t.db.execute(sql`UPDATE ${posts} SET hidden_at = now() WHERE id = ${post.id}`);
    const seen = await card(author.id, post.id);
    expect(seen).toMatchObject({ edited: true, hidden: true, visibility: "private", mediaEmbeds: [], coordinates: null });
  });
});
