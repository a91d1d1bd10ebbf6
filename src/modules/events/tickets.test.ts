import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { blockedUsers, events, eventTickets } from "../../../drizzle/schema";
import { signedIn } from "../../../test/auth";
import { createEvent } from "../../../test/factories";
import { useTestDatabase } from "../../../test/harness";
import { allPages } from "../../../test/pages";
import { answer, withdraw } from "../../../test/rsvps";
import { encodeCursor } from "../../lib/pagination";

const t = await useTestDatabase();

async function paidEvent(overrides: Partial<typeof events.$inferInsert> = {}) {
  const organizer = await signedIn(t);
  const event = await createEvent(t.db, { userId: organizer.user.id, isPaid: true, price: "20", currency: "EUR", ...overrides });
  return { organizer, event };
}

describe("GET /api/events/{id}/ticket", () => {
  it("shows the caller's active ticket with its event, then the cancelled one once they stop going", async () => {
    const { event } = await paidEvent({ title: "Milonga de los Domingos", city: "Berlin", country: "Germany", timezone: "Europe/Berlin" });
    const { token } = await signedIn(t);
    const going = await answer(t.api, token, event.id, { status: "going" });
    const res = await t.api.get(`/api/events/${event.id}/ticket`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      code: going.body.ticket.code,
      status: "active",
      createdAt: going.body.ticket.createdAt,
      cancelledAt: null,
      event: {
        id: event.id,
        title: "Milonga de los Domingos",
        startDate: event.startDate.toISOString(),
        endDate: null,
        timezone: "Europe/Berlin",
        location: event.location,
        city: "Berlin",
        country: "Germany",
        status: "published",
      },
    });
    await withdraw(t.api, token, event.id);
    const cancelled = await t.api.get(`/api/events/${event.id}/ticket`, { token });
    expect(cancelled.body).toMatchObject({ code: going.body.ticket.code, status: "cancelled", cancelledAt: expect.any(String) });
    // Going again: the new active ticket comes first.
    const again = await answer(t.api, token, event.id, { status: "going" });
    expect((await t.api.get(`/api/events/${event.id}/ticket`, { token })).body).toMatchObject({ code: again.body.ticket.code, status: "active" });
  });

  it("is 404 without a ticket: not going, waitlisted, or a free event", async () => {
    const { event } = await paidEvent({ maxAttendees: 1 });
    const [a, b, c] = await Promise.all([signedIn(t), signedIn(t), signedIn(t)]);
    await answer(t.api, a.token, event.id, { status: "going" });
    await answer(t.api, b.token, event.id, { status: "going" });
    const free = await createEvent(t.db, { userId: a.user.id });
    await answer(t.api, c.token, free.id, { status: "going" });
    for (const [token, id] of [[b.token, event.id], [c.token, event.id], [c.token, free.id]] as const) {
      const res = await t.api.get(`/api/events/${id}/ticket`, { token });
      expect([res.status, res.body.code]).toEqual([404, "not_found"]);
    }
  });

  it("shows no one else the ticket: another dancer, the organizer, a moderator get 404; anonymous 401", async () => {
    const { organizer, event } = await paidEvent();
    const { token } = await signedIn(t);
    await answer(t.api, token, event.id, { status: "going" });
    const [other, admin] = await Promise.all([signedIn(t), signedIn(t, { role: "god" })]);
    for (const who of [other.token, organizer.token, admin.token]) {
      expect((await t.api.get(`/api/events/${event.id}/ticket`, { token: who })).status).toBe(404);
    }
    expect((await t.api.get(`/api/events/${event.id}/ticket`)).status).toBe(401);
  });

  it("is 404 once the event is hidden from the holder (a block by the organizer)", async () => {
    const { organizer, event } = await paidEvent();
    const { user, token } = await signedIn(t);
    await answer(t.api, token, event.id, { status: "going" });
    await t.db.insert(blockedUsers).values({ blockerId: organizer.user.id, blockedId: user.id });
    expect((await t.api.get(`/api/events/${event.id}/ticket`, { token })).status).toBe(404);
  });
});

describe("GET /api/me/tickets", () => {
  it("lists the caller's tickets newest first, every one once across pages, equal times too", async () => {
    const { user, token } = await signedIn(t);
    const organizer = await signedIn(t);
    const tie = new Date("2026-02-01T20:00:00.123456Z");
    const times = [new Date("2026-01-01T20:00:00Z"), tie, tie, new Date("2026-03-01T20:00:00Z"), tie];
    const made: { id: number; at: number }[] = [];
    for (const [i, createdAt] of times.entries()) {
      const event = await createEvent(t.db, { userId: organizer.user.id, isPaid: true });
      const [row] = await t.db
        .insert(eventTickets)
        .values({ eventId: event.id, userId: user.id, code: `${"0".repeat(31)}${i}`, createdAt, status: i === 0 ? "cancelled" : "active" })
        .returning();
      made.push({ id: row!.id, at: createdAt.getTime() });
    }
    const expected = [...made].sort((a, b) => b.at - a.at || b.id - a.id).map((m) => m.id);
    for (const limit of [1, 2, 5]) {
      const pages = await allPages(t.api, `/api/me/tickets?limit=${limit}`, token);
      expect(pages.flatMap((p) => p.items.map((i) => i.id))).toEqual(expected);
    }
    // Others see their own tickets only.
    expect((await t.api.get("/api/me/tickets", { token: organizer.token })).body.items).toEqual([]);
  });

  it("leaves out tickets of events the caller may no longer see", async () => {
    const { organizer, event } = await paidEvent();
    const hidden = await createEvent(t.db, { userId: organizer.user.id, isPaid: true });
    const { token } = await signedIn(t);
    await answer(t.api, token, event.id, { status: "going" });
    await answer(t.api, token, hidden.id, { status: "going" });
    await t.db.update(events).set({ hiddenAt: new Date() }).where(eq(events.id, hidden.id));
    const { body } = await t.api.get("/api/me/tickets", { token });
    expect(body.items.map((i: { event: { id: number } }) => i.event.id)).toEqual([event.id]);
  });

  it.each([
    ["not a cursor", "not-a-cursor"],
    ["a cursor with a time that is not one", encodeCursor(["garbage", 1])],
  ])("rejects %s with 400", async (_label, cursor) => {
    const { token } = await signedIn(t);
    const res = await t.api.get(`/api/me/tickets?cursor=${encodeURIComponent(cursor)}`, { token });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ path: "query.cursor" })]);
  });

  it("is 401 anonymous", async () => {
    expect((await t.api.get("/api/me/tickets")).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("documents the ticket routes", async () => {
    const { paths } = (await t.api.get("/openapi.json")).body;
    expect(paths["/api/events/{id}/ticket"].get).toBeDefined();
    expect(paths["/api/me/tickets"].get).toBeDefined();
  });
});
