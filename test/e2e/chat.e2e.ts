/**
 * The chat pages in the browser (issue 18): two dancers chat (unread counts rising live on the
 * room list, typing, messages both ways, read receipts), and messages sent with the network cut
 * wait in the outbox, then arrive once each, in order, when it returns.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { type Dancer, type E2E, snap, unique, waitFor } from "./harness";

/** Opens a room by its hash route (a reload would sign the dancer out until the refresh cookie lands). */
async function openRoom(page: Page, roomId: number): Promise<void> {
  await page.evaluate((id) => {
    location.hash = `#/chat/${id}`;
  }, roomId);
  await page.locator('section.chat-room[data-status="open"]').waitFor();
}

async function send(page: Page, text: string): Promise<void> {
  const box = page.getByLabel("Message", { exact: true });
  await box.fill(text);
  await box.press("Enter");
}

/** The texts of the confirmed messages in the page, top to bottom. */
function shownTexts(page: Page): Promise<string[]> {
  return page.getByTestId("message").locator(".msg-text").evaluateAll((nodes) => nodes.map((n) => (n.lastChild?.textContent ?? "").trim()));
}

async function history(dancer: Dancer, roomId: number): Promise<{ id: number; text: string; userId: number; clientId: string | null }[]> {
  const res = await dancer.api.api.chat.rooms[":id"].messages.$get({ param: { id: String(roomId) }, query: { limit: "100" } });
  assert.equal(res.status, 200);
  return (await res.json()).items;
}

export function chatScenarios(e2e: E2E): void {
  describe("chat", () => {
    test("two dancers chat: unread rises live on the room list, typing, messages both ways, Seen", async () => {
      const ana = await e2e.dancer("ana", "Ana Ayala");
      const ben = await e2e.dancer("ben", "Ben Borges");
      const a = await e2e.signedIn(ana);
      const b = await e2e.signedIn(ben);

      // Ana opens the room with Ben through the new-chat form and writes first.
      await a.page.getByRole("link", { name: "Chat", exact: true }).click();
      await a.page.getByRole("heading", { name: "Chat", exact: true }).waitFor();
      // An unknown username shows the problem's detail.
      await a.page.getByLabel("Username").fill(unique("nobody"));
      await a.page.getByRole("button", { name: "Open chat" }).click();
      assert.match(await a.page.getByRole("alert").innerText(), /\S/);
      await a.page.getByLabel("Username").fill(`@${ben.username}`);
      await a.page.getByRole("button", { name: "Open chat" }).click();
      await a.page.getByRole("heading", { name: ben.name }).waitFor();
      await a.page.locator('section.chat-room[data-status="open"]').waitFor();
      await send(a.page, "Hola Ben, ¿bailamos?");
      await a.page.getByTestId("message").filter({ hasText: "¿bailamos?" }).waitFor();

      // Ben's room list shows it unread; a second message raises the count live, without a reload.
      await b.page.getByRole("link", { name: "Chat", exact: true }).click();
      const roomRow = b.page.getByTestId("room").filter({ has: b.page.getByRole("link", { name: ana.name }) });
      await roomRow.getByTestId("room-unread").filter({ hasText: /^1$/ }).waitFor();
      await b.page.evaluate(() => Object.assign(window, { sameDocument: true }));
      await send(a.page, "La próxima tanda es de D'Arienzo");
      await roomRow.getByTestId("room-unread").filter({ hasText: /^2$/ }).waitFor();
      assert.match(await roomRow.innerText(), /D'Arienzo/);
      assert.equal(await b.page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, "the count rose without a reload");
      await snap(b.page, "chat-rooms-unread");

      // Ben opens the room: both messages; Ana sees "Seen" once Ben's page has read them.
      await roomRow.getByRole("link", { name: ana.name }).click();
      await b.page.getByRole("heading", { name: ana.name }).waitFor();
      await b.page.locator('section.chat-room[data-status="open"]').waitFor();
      assert.deepEqual(await shownTexts(b.page), ["Hola Ben, ¿bailamos?", "La próxima tanda es de D'Arienzo"]);
      await a.page.locator(".msg-status", { hasText: "Seen" }).waitFor();

      // Ana types: Ben sees it; she sends, and the indicator goes.
      const typing = b.page.getByTestId("typing");
      await a.page.getByLabel("Message", { exact: true }).pressSequentially("Te espero", { delay: 40 });
      await typing.filter({ hasText: `${ana.name} is typing…` }).waitFor();
      await snap(b.page, "chat-room-typing");
      await a.page.getByLabel("Message", { exact: true }).press("Enter");
      await b.page.getByTestId("message").filter({ hasText: "Te espero" }).waitFor();
      await typing.filter({ hasText: /^$/ }).waitFor();

      // Ben answers; Ana gets it live, and her last message shows "Seen".
      await send(b.page, "¡Vamos!");
      await a.page.getByTestId("message").filter({ hasText: "¡Vamos!" }).waitFor();
      await b.page.getByTestId("message").filter({ hasText: "¡Vamos!" }).locator(".msg-status", { hasText: "Seen" }).waitFor();
      assert.deepEqual(await shownTexts(a.page), ["Hola Ben, ¿bailamos?", "La próxima tanda es de D'Arienzo", "Te espero", "¡Vamos!"]);
      await snap(a.page, "chat-room");

      // Postgres has the four, once each.
      const roomId = Number(await b.page.evaluate(() => location.hash.split("/")[2]));
      const stored = await waitFor("the four messages in the history", async () => {
        const items = await history(ana, roomId);
        return items.length === 4 ? items : undefined;
      });
      assert.deepEqual(
        stored.map((m) => [m.userId, m.text]).reverse(),
        [
          [ana.id, "Hola Ben, ¿bailamos?"],
          [ana.id, "La próxima tanda es de D'Arienzo"],
          [ana.id, "Te espero"],
          [ben.id, "¡Vamos!"],
        ],
      );
    });

    test("the network is cut for one side while it sends 5 messages: all 5 arrive once, in order, when it returns", async () => {
      const ana = await e2e.dancer("ana", "Ana Offline");
      const ben = await e2e.dancer("ben", "Ben Online");
      const created = await ana.api.api.chat.rooms.$post({ header: {}, json: { type: "direct", userId: ben.id } });
      assert.equal(created.status, 201);
      const roomId = (await created.json()).id;
      const a = await e2e.signedIn(ana);
      const b = await e2e.signedIn(ben);
      await openRoom(a.page, roomId);
      await openRoom(b.page, roomId);

      const tag = unique("t");
      const texts = [1, 2, 3, 4, 5].map((n) => `Offline ${n} ${tag}`);
      await a.context.setOffline(true);
      await a.page.locator('section.chat-room[data-status="offline"]').waitFor();
      for (const text of texts) await send(a.page, text);
      const pending = a.page.getByTestId("pending-message");
      await waitFor("five messages waiting", async () => ((await pending.count()) === 5 ? true : undefined));
      assert.equal(await pending.filter({ hasText: "Waiting for network" }).count(), 5);
      assert.equal(await a.page.getByRole("status").filter({ hasText: "You are offline" }).count(), 1);
      await snap(a.page, "chat-room-offline");
      // Nothing left the browser: the room has none of them, Ben's page shows none.
      assert.equal((await history(ben, roomId)).length, 0);
      assert.equal((await shownTexts(b.page)).length, 0);
      const outbox = await a.page.evaluate((key) => localStorage.getItem(key), `mt:chat-outbox:${ana.id}:${roomId}`);
      assert.deepEqual(
        (JSON.parse(outbox ?? "[]") as { text: string }[]).map((p) => p.text),
        texts,
        "the outbox is kept in localStorage, in order",
      );

      await a.context.setOffline(false);
      await a.page.locator('section.chat-room[data-status="open"]').waitFor();
      await waitFor("the outbox to empty", async () => ((await pending.count()) === 0 ? true : undefined));
      assert.equal(await a.page.evaluate((key) => localStorage.getItem(key), `mt:chat-outbox:${ana.id}:${roomId}`), null);
      assert.deepEqual(await shownTexts(a.page), texts);

      // Ben got each once, in order, live.
      await b.page.getByTestId("message").filter({ hasText: texts[4]! }).waitFor();
      assert.deepEqual(await shownTexts(b.page), texts);
      // And Postgres, the record, has 5 rows, in order, one per client id.
      const stored = await waitFor("five messages in the history", async () => {
        const items = await history(ben, roomId);
        return items.length >= 5 ? items : undefined;
      });
      const oldestFirst = [...stored].reverse();
      assert.deepEqual(
        oldestFirst.map((m) => m.text),
        texts,
      );
      assert.equal(new Set(oldestFirst.map((m) => m.clientId)).size, 5);
      assert.deepEqual(
        oldestFirst.map((m) => m.id),
        [1, 2, 3, 4, 5],
      );
    });

    test("messages waiting for the network survive closing the page: a new page sends them once, in order, with their client ids", async () => {
      const ana = await e2e.dancer("ana", "Ana Closes");
      const ben = await e2e.dancer("ben", "Ben Waits");
      const created = await ana.api.api.chat.rooms.$post({ header: {}, json: { type: "direct", userId: ben.id } });
      assert.equal(created.status, 201);
      const roomId = (await created.json()).id;
      const a = await e2e.signedIn(ana);
      await openRoom(a.page, roomId);

      const tag = unique("r");
      const texts = [1, 2, 3].map((n) => `Kept ${n} ${tag}`);
      await a.context.setOffline(true);
      await a.page.locator('section.chat-room[data-status="offline"]').waitFor();
      for (const text of texts) await send(a.page, text);
      const key = `mt:chat-outbox:${ana.id}:${roomId}`;
      const kept = await waitFor("three messages in the stored outbox", async () => {
        const outbox = JSON.parse((await a.page.evaluate((k) => localStorage.getItem(k), key)) ?? "[]") as { text: string; clientId: string }[];
        return outbox.length === 3 ? outbox : undefined;
      });
      assert.deepEqual(
        kept.map((m) => m.text),
        texts,
      );
      // The tab is closed with the network still cut; nothing reached the room.
      await a.page.close();
      assert.equal((await history(ben, roomId)).length, 0);

      // Back online, a new tab (same browser profile: the refresh cookie, the stored outbox)
      // restores the session and sends what waited.
      await a.context.setOffline(false);
      const page = await a.context.newPage();
      await page.goto(`/#/chat/${roomId}`);
      await page.locator('section.chat-room[data-status="open"]').waitFor();
      await waitFor("the outbox to empty", async () => ((await page.getByTestId("pending-message").count()) === 0 ? true : undefined));
      assert.deepEqual(await shownTexts(page), texts);
      const stored = await waitFor("three messages in the history", async () => {
        const items = await history(ben, roomId);
        return items.length >= 3 ? items : undefined;
      });
      const oldestFirst = [...stored].reverse();
      assert.deepEqual(
        oldestFirst.map((m) => [m.text, m.clientId]),
        kept.map((m) => [m.text, m.clientId]),
      );
    });

    test("a long outbox keeps to the room's write limit: refused sends are retried, all stored once, in order", async () => {
      const ana = await e2e.dancer("ana", "Ana Burst");
      const ben = await e2e.dancer("ben", "Ben Burst");
      const created = await ana.api.api.chat.rooms.$post({ header: {}, json: { type: "direct", userId: ben.id } });
      assert.equal(created.status, 201);
      const roomId = (await created.json()).id;
      const a = await e2e.signedIn(ana);
      await openRoom(a.page, roomId);
      // The room's answers, as the browser receives them.
      const limited: string[] = [];
      a.page.on("websocket", (ws) =>
        ws.on("framereceived", ({ payload }) => {
          if (typeof payload === "string" && payload.includes('"rate_limited"')) limited.push(payload);
        }),
      );

      await a.context.setOffline(true);
      await a.page.locator('section.chat-room[data-status="offline"]').waitFor();
      // More than the socket's burst of 10 writes.
      const texts = Array.from({ length: 14 }, (_, i) => `Ráfaga ${i + 1}`);
      for (const text of texts) await send(a.page, text);
      await a.context.setOffline(false);
      await waitFor("the outbox to empty", async () => ((await a.page.getByTestId("pending-message").count()) === 0 ? true : undefined), 30_000);
      assert.ok(limited.length > 0, "the room refused some sends for a while");
      assert.equal(await a.page.getByRole("alert").count(), 0, "no send was given up");
      assert.deepEqual(await shownTexts(a.page), texts);
      const stored = await waitFor("the 14 messages in the history", async () => {
        const items = await history(ben, roomId);
        return items.length >= 14 ? items : undefined;
      });
      assert.deepEqual(
        stored.map((m) => m.text).reverse(),
        texts,
      );
    });

    test("a message that reached the room before the cut, its answer lost, is not stored twice on reconnect", async () => {
      const ana = await e2e.dancer("ana", "Ana Retry");
      const ben = await e2e.dancer("ben", "Ben Retry");
      const created = await ana.api.api.chat.rooms.$post({ header: {}, json: { type: "direct", userId: ben.id } });
      assert.equal(created.status, 201);
      const roomId = (await created.json()).id;
      const a = await e2e.signedIn(ana);
      await openRoom(a.page, roomId);

      await a.context.setOffline(true);
      await a.page.locator('section.chat-room[data-status="offline"]').waitFor();
      await send(a.page, "Primero");
      await send(a.page, "Segundo");
      await waitFor("two messages waiting", async () => ((await a.page.getByTestId("pending-message").count()) === 2 ? true : undefined));
      const outbox = JSON.parse((await a.page.evaluate((key) => localStorage.getItem(key), `mt:chat-outbox:${ana.id}:${roomId}`)) ?? "[]") as { clientId: string; text: string }[];
      assert.deepEqual(
        outbox.map((p) => p.text),
        ["Primero", "Segundo"],
      );
      // The first one got through with its client id (as if the network died before its ack came back).
      const first = await ana.api.api.chat.rooms[":id"].messages.$post({ param: { id: String(roomId) }, json: { clientId: outbox[0]!.clientId, text: "Primero" } });
      assert.equal(first.status, 201);

      await a.context.setOffline(false);
      await waitFor("the outbox to empty", async () => ((await a.page.getByTestId("pending-message").count()) === 0 ? true : undefined));
      assert.deepEqual(await shownTexts(a.page), ["Primero", "Segundo"]);
      const stored = await waitFor("both messages in the history", async () => {
        const items = await history(ana, roomId);
        return items.length >= 2 ? items : undefined;
      });
      assert.deepEqual(
        stored.map((m) => [m.id, m.text, m.clientId]).reverse(),
        [
          [1, "Primero", outbox[0]!.clientId],
          [2, "Segundo", outbox[1]!.clientId],
        ],
      );
    });
  });
}
