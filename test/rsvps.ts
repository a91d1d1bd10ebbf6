import { and, asc, eq } from "drizzle-orm";
import { expect } from "vitest";
import { eventRsvps, events, eventTickets, notifications } from "../drizzle/schema";
import type { Db } from "../src/lib/db";
import type { Api, ApiResponse } from "./harness";

/** POST /api/events/{id}/rsvp as `token`. */
export function answer(api: Api, token: string, eventId: number, json: { status: string; role?: string }): Promise<ApiResponse> {
  return api.post(`/api/events/${eventId}/rsvp`, { token, json });
}

/** DELETE /api/events/{id}/rsvp as `token`. */
export function withdraw(api: Api, token: string, eventId: number): Promise<ApiResponse> {
  return api.delete(`/api/events/${eventId}/rsvp`, { token });
}

export interface Counters {
  going: number;
  leaders: number;
  followers: number;
  interested: number;
  waitlisted: number;
}

/** The event's counters as stored on its row. */
export async function storedCounters(db: Db, eventId: number): Promise<Counters> {
  const [row] = await db.select().from(events).where(eq(events.id, eventId));
  return {
    going: row!.goingCount,
    leaders: row!.leadersGoing,
    followers: row!.followersGoing,
    interested: row!.interestedCount,
    waitlisted: row!.waitlistCount,
  };
}

/**
 * Checks that the event's counters are exactly what its RSVP rows say, that capacity and the
 * role caps hold, and that every going dancer of a paid event holds one active ticket (and no
 * one else does); returns the counters.
 */
export async function expectCountersExact(db: Db, eventId: number): Promise<Counters> {
  const [event] = await db.select().from(events).where(eq(events.id, eventId));
  const rows = await db.select().from(eventRsvps).where(eq(eventRsvps.eventId, eventId));
  const going = rows.filter((r) => r.status === "going");
  const counted: Counters = {
    going: going.length,
    leaders: going.filter((r) => r.role === "leader").length,
    followers: going.filter((r) => r.role === "follower").length,
    interested: rows.filter((r) => r.status === "interested").length,
    waitlisted: rows.filter((r) => r.status === "waitlisted").length,
  };
  const stored = await storedCounters(db, eventId);
  expect(stored, "the event's counters against its RSVP rows").toEqual(counted);
  if (event!.maxAttendees !== null) expect(counted.going).toBeLessThanOrEqual(event!.maxAttendees);
  if (event!.maxLeaders !== null) expect(counted.leaders).toBeLessThanOrEqual(event!.maxLeaders);
  if (event!.maxFollowers !== null) expect(counted.followers).toBeLessThanOrEqual(event!.maxFollowers);
  const active = await db.select().from(eventTickets).where(and(eq(eventTickets.eventId, eventId), eq(eventTickets.status, "active")));
  const holders = active.map((t) => t.userId).sort((a, b) => a - b);
  expect(holders, "active tickets: one per going dancer on a paid event").toEqual(
    event!.isPaid ? going.map((r) => r.userId).sort((a, b) => a - b) : [],
  );
  return counted;
}

/** The waitlisted dancers' ids, first in line first. */
export async function waitlist(db: Db, eventId: number): Promise<number[]> {
  const rows = await db
    .select({ userId: eventRsvps.userId })
    .from(eventRsvps)
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.status, "waitlisted")))
    .orderBy(asc(eventRsvps.queuedAt), asc(eventRsvps.id));
  return rows.map((r) => r.userId);
}

/** A dancer's stored RSVP status on an event (undefined without a row). */
export async function statusOf(db: Db, eventId: number, userId: number): Promise<string | undefined> {
  const [row] = await db
    .select({ status: eventRsvps.status })
    .from(eventRsvps)
    .where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.userId, userId)));
  return row?.status;
}

/** A user's notifications of one type (unread and read). */
export async function notificationsOf(db: Db, userId: number, type: string) {
  return db.select().from(notifications).where(and(eq(notifications.userId, userId), eq(notifications.type, type)));
}

/**
 * Checks the waitlist invariant: no one waits who would fit (a waiting dancer's event, or their
 * role, is full), as after every RSVP statement.
 */
export async function expectNoOneWaitsWhoFits(db: Db, eventId: number): Promise<void> {
  const [event] = await db.select().from(events).where(eq(events.id, eventId));
  const waiting = await db.select().from(eventRsvps).where(and(eq(eventRsvps.eventId, eventId), eq(eventRsvps.status, "waitlisted")));
  for (const w of waiting) {
    const full =
      (event!.maxAttendees !== null && event!.goingCount >= event!.maxAttendees) ||
      (w.role === "leader" && event!.maxLeaders !== null && event!.leadersGoing >= event!.maxLeaders) ||
      (w.role === "follower" && event!.maxFollowers !== null && event!.followersGoing >= event!.maxFollowers);
    expect(full, `waitlisted dancer ${w.userId} would fit`).toBe(true);
  }
}
