/**
 * The feed, post and profile pages in the browser: posting with a photo, a like arriving live
 * as a notification, posts that must never render for a stranger, follow and "did we dance?",
 * and the feed's infinite scroll.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deflateSync } from "node:zlib";
import type { Page } from "playwright-core";
import { type Dancer, type E2E, snap, unique, waitFor } from "./harness";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const body = concat([Buffer.from(type, "ascii"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return concat([length, body, crc]);
}

/** A real RGB PNG (a small gradient), made from bytes: what a phone's photo is to the upload. */
function gradientPng(width: number, height: number): Uint8Array {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit, truecolour, no interlace
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set([142, Math.round((x / width) * 120), Math.round((y / height) * 200) + 40], row + 1 + x * 3);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(rows)), chunk("IEND", new Uint8Array(0))]);
}

async function createPost(dancer: Dancer, content: string, visibility: "public" | "friends" | "private" = "public"): Promise<number> {
  const res = await dancer.api.api.posts.$post({ json: { content, visibility }, header: {} });
  assert.equal(res.status, 201, `create post: ${res.status}`);
  return (await res.json()).id;
}

async function follow(follower: Dancer, followee: Dancer): Promise<void> {
  const res = await follower.api.api.users[":id"].follow.$post({ param: { id: String(followee.id) } });
  assert.equal(res.status, 200);
}

/** Moves within the app without a reload (the session lives in memory until the refresh cookie lands). */
async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((to) => {
    location.hash = to;
  }, hash);
}

/** The post card whose text includes `text`. */
const card = (page: Page, text: string) => page.getByTestId("post").filter({ hasText: text });

export function feedScenarios(e2e: E2E): void {
  describe("feed", () => {
    test("a newcomer posts with a photo and sees it at the top; a follower's like arrives live as a notification", async () => {
      const context = await e2e.newContext();
      const page = await context.newPage();
      await page.goto("/#/signup");
      const username = unique("poster");
      await page.getByLabel("Your name").fill("Paula Poster");
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Email").fill(`${username}@e2e.test`);
      await page.getByLabel("Password").fill("tango-e2e-2026");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("heading", { name: "Your feed" }).waitFor();

      const compose = page.getByRole("form", { name: "New post" });
      // An empty post and a file that is not an image are refused with the API's detail.
      await compose.getByRole("button", { name: "Post", exact: true }).click();
      await compose.getByRole("alert").waitFor();
      assert.match(await compose.getByRole("alert").innerText(), /\S/);
      await page.getByLabel("Add a photo").setInputFiles({ name: "notes.png", mimeType: "image/png", buffer: Buffer.from("these are not pixels") });
      await compose.getByRole("alert").filter({ hasText: "Upload a photo or a video" }).waitFor();
      assert.equal(await compose.getByRole("img").count(), 0, "no preview for a refused file");

      const text = `First tanda at La Viruta ${unique("t")}`;
      await page.getByLabel("Share something with the tango world").fill(text);
      await page.getByLabel("Add a photo").setInputFiles({ name: "milonga.png", mimeType: "image/png", buffer: Buffer.from(gradientPng(320, 200)) });
      await compose.getByRole("status").filter({ hasText: "Photo ready." }).waitFor();
      assert.equal(await compose.getByRole("alert").count(), 0, "the earlier problems are gone");
      await compose.getByRole("img", { name: "Preview of the photo to post" }).waitFor();
      await snap(page, "compose-preview");
      await compose.getByRole("button", { name: "Post", exact: true }).click();

      const first = page.getByTestId("post").first();
      await first.getByText(text).waitFor();
      const photo = first.getByRole("img", { name: "Photo posted by Paula Poster" });
      const width = await waitFor("the posted photo to load", () =>
        photo.evaluate((img: HTMLImageElement) => (img.complete && img.naturalWidth > 0 ? img.naturalWidth : undefined)),
      );
      assert.equal(width, 320);
      assert.equal(await page.getByLabel("Share something with the tango world").inputValue(), "", "the form is cleared");
      await snap(page, "feed");

      // A follower (the follow is a notification too) sees the post in their feed and likes it.
      const login = await e2e.client().api.auth.login.$post({ json: { login: username, password: "tango-e2e-2026" } });
      assert.equal(login.status, 200);
      const poster = (await login.json()).user;
      const fan = await e2e.dancer("fan", "Fede Fan");
      const followed = await fan.api.api.users[":id"].follow.$post({ param: { id: String(poster.id) } });
      assert.equal(followed.status, 200);
      const badge = page.getByTestId("unread-notifications");
      await badge.filter({ hasText: /^1$/ }).waitFor();

      const { page: fanPage } = await e2e.signedIn(fan);
      const liked = card(fanPage, text);
      const like = liked.getByRole("button", { name: /Like/ });
      assert.equal(await like.getAttribute("aria-pressed"), "false");
      await like.click();
      await liked.locator('button[aria-pressed="true"]').filter({ hasText: "1" }).waitFor();

      // The poster's page, never reloaded, sees it arrive over the live channel.
      await badge.filter({ hasText: /^2$/ }).waitFor();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Notifications/ }).click();
      await page.getByTestId("notification").filter({ hasText: "Fede Fan liked your post" }).waitFor();
      // On the page itself a new one arrives live, at the top; marking all read clears the badge.
      const timeline = await fan.api.api.users[":id"].posts.$get({ param: { id: String(poster.id) }, query: {} });
      assert.equal(timeline.status, 200);
      const postId = (await timeline.json()).items[0]!.post.id;
      const commented = await fan.api.api.posts[":id"].comments.$post({ param: { id: String(postId) }, json: { content: "Gran foto" }, header: {} });
      assert.equal(commented.status, 201);
      await page.getByTestId("notification").first().filter({ hasText: "Fede Fan commented on your post" }).waitFor();
      await badge.filter({ hasText: /^3$/ }).waitFor();
      await snap(page, "notifications");
      await page.getByRole("button", { name: "Mark all read" }).click();
      await badge.waitFor({ state: "detached" });
      assert.equal(await page.locator(".notification.unread").count(), 0);

      // The poster opens the post (its comments open) and comments on it.
      await page.getByTestId("notification").filter({ hasText: "liked your post" }).getByRole("link").click();
      await page.getByRole("heading", { name: "Post by Paula Poster" }).waitFor();
      await page.getByText(text).waitFor();
      await page.getByLabel("Add a comment").fill("Thank you, what a night!");
      await page.getByRole("button", { name: "Comment", exact: true }).click();
      await page.getByTestId("comment").filter({ hasText: "Thank you, what a night!" }).waitFor();
      await page.getByRole("button", { name: /Comments/ }).filter({ hasText: "2" }).waitFor();
      await snap(page, "post");
    });

    test("private and friends-only posts never render for a stranger (feed, profile, link); their author sees them", async () => {
      const author = await e2e.dancer("author", "Alma Author");
      const stranger = await e2e.dancer("stranger", "Sam Stranger");
      await follow(stranger, author);
      const tag = unique("v");
      const publicText = `Public milonga notes ${tag}`;
      const friendsText = `Friends-only gossip ${tag}`;
      const privateText = `Private diary ${tag}`;
      await createPost(author, publicText);
      const friendsId = await createPost(author, friendsText, "friends");
      const privateId = await createPost(author, privateText, "private");

      const { page } = await e2e.signedIn(stranger);
      const hidden = async (where: string) => {
        const html = await page.content();
        assert.ok(!html.includes(friendsText), `friends-only post rendered on ${where}`);
        assert.ok(!html.includes(privateText), `private post rendered on ${where}`);
      };
      await card(page, publicText).waitFor();
      await hidden("the feed");

      await go(page, `#/u/${author.username}`);
      await page.getByRole("heading", { name: "Alma Author" }).waitFor();
      await card(page, publicText).waitFor();
      await page.getByText("You are all caught up.").waitFor();
      await hidden("the profile");

      for (const id of [privateId, friendsId]) {
        await go(page, `#/posts/${id}`);
        await page.getByRole("heading", { name: "Post not found" }).waitFor();
        assert.match(await page.getByRole("alert").innerText(), /\S/);
        await hidden(`post ${id}'s page`);
      }
      await snap(page, "post-not-found");

      const own = await e2e.signedIn(author);
      for (const text of [publicText, friendsText, privateText]) await card(own.page, text).waitFor();
      await go(own.page, `#/posts/${privateId}`);
      await own.page.getByRole("heading", { name: "Post by Alma Author" }).waitFor();
      await card(own.page, privateText).getByText("Only you").waitFor();
    });

    test("a profile: follow, did we dance?, friends once accepted; the feed loads more posts on scroll without repeats", async () => {
      const dancer = await e2e.dancer("leader", "Leo Leader");
      const partner = await e2e.dancer("partner", "Pia Partner");
      const patched = await partner.api.api.users.me.$patch({
        json: { city: "Buenos Aires", country: "Argentina", tangoRoles: ["follower"], bio: "Milonguera since 2009. Tuesdays at La Viruta." },
      });
      assert.equal(patched.status, 200);
      const postIds: number[] = [];
      for (let n = 1; n <= 25; n++) postIds.push(await createPost(partner, `Tanda note ${n} from Pia`));

      const { page } = await e2e.signedIn(dancer);
      await go(page, `#/u/${partner.username}`);
      await page.getByRole("heading", { name: "Pia Partner" }).waitFor();
      await page.getByText("Buenos Aires, Argentina · Follower").waitFor();
      await page.getByText("0 followers").waitFor();

      await page.getByRole("button", { name: "Follow", exact: true }).click();
      await page.getByRole("button", { name: "Unfollow" }).waitFor();
      await page.getByText("1 follower", { exact: true }).waitFor();

      await page.getByRole("button", { name: "Did we dance?" }).click();
      await page.getByLabel("Where did you dance?").fill("La Viruta, Buenos Aires");
      await page.getByLabel("Your dance story").fill("A D'Arienzo tanda we both laughed through.");
      await page.getByRole("button", { name: "Send friend request" }).click();
      await page.getByText("Friend request sent").waitFor();

      const incoming = await partner.api.api.friends.requests.$get({ query: { direction: "incoming" } });
      assert.ok(incoming.ok);
      const request = (await incoming.json()).items.find((r) => r.senderId === dancer.id);
      assert.ok(request, "the partner received the request");
      assert.equal(request.story.didWeDance, true);
      assert.equal(request.story.danceLocation, "La Viruta, Buenos Aires");
      const accepted = await partner.api.api.friends.requests[":id"].accept.$post({ param: { id: String(request.id) }, json: {} });
      assert.equal(accepted.status, 200);
      // The acceptance reaches the open profile over the live channel.
      await page.getByText("You are friends").waitFor();
      await page.getByText("1 friend", { exact: true }).waitFor();
      await card(page, "Tanda note 25 from Pia").waitFor();
      await snap(page, "profile-other");

      await page.getByRole("link", { name: "Me", exact: true }).click();
      await page.getByRole("heading", { name: "Leo Leader" }).waitFor();
      await page.getByText("this is you").waitFor();
      assert.equal(await page.getByRole("button", { name: "Follow", exact: true }).count(), 0);
      assert.equal(await page.getByRole("button", { name: "Did we dance?" }).count(), 0);
      await snap(page, "profile-own");

      // The feed: the partner's 25 posts, 20 on the first page, the rest when scrolled to.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Feed", exact: true }).click();
      await card(page, "Tanda note 25 from Pia").waitFor();
      assert.equal(await page.getByTestId("post").count(), 20);
      await page.getByRole("button", { name: "Load more" }).scrollIntoViewIfNeeded();
      await page.getByText("You are all caught up.").waitFor();
      await waitFor("the second page's posts", async () => ((await page.getByTestId("post").count()) >= 25 ? true : undefined));
      const shown = await page.getByTestId("post").evaluateAll((cards) => cards.map((c) => Number(c.getAttribute("data-post-id"))));
      assert.deepEqual(shown, [...postIds].reverse(), "every post once, newest first");

      // "Message" opens the direct room with the partner.
      await go(page, `#/u/${partner.username}`);
      await page.getByRole("button", { name: "Message" }).click();
      await page.waitForURL(/#\/chat\/\d+$/);
    });
  });
}
