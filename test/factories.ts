import { sql } from "drizzle-orm";
import {
  chatMessages,
  chatRoomUsers,
  chatRooms,
  eventRsvps,
  events,
  follows,
  friendships,
  friendshipActivities,
  postLikes,
  posts,
  users,
} from "../drizzle/schema";
import type { Db } from "../src/lib/db";

let sequence = 0;

/** A value no other test (in any file, any run) will produce. */
export function unique(prefix = "t"): string {
  sequence += 1;
  return `${prefix}${sequence}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

type UserRow = typeof users.$inferSelect;
type NewUser = Partial<typeof users.$inferInsert>;

/** A user with unique email and username. Its password hash is not usable to log in. */
export async function createUser(db: Db, overrides: NewUser = {}): Promise<UserRow> {
  const handle = unique("dancer");
  const [user] = await db
    .insert(users)
    .values({
      email: `${handle}@example.com`,
      username: handle,
      password: "not-a-usable-hash",
      name: `Dancer ${handle}`,
      city: "Buenos Aires",
      country: "Argentina",
      ...overrides,
    })
    .returning();
  return user!;
}

export async function createPost(db: Db, overrides: Partial<typeof posts.$inferInsert> & { userId: number }) {
  const [post] = await db
    .insert(posts)
    .values({ content: `A night at the milonga ${unique()}`, ...overrides })
    .returning();
  return post!;
}

export async function createEvent(db: Db, overrides: Partial<typeof events.$inferInsert> & { userId: number }) {
  const [event] = await db
    .insert(events)
    .values({
      title: `Milonga ${unique()}`,
      description: "Tango all night",
      eventType: "milonga",
      startDate: new Date(Date.now() + 7 * 86_400_000),
      location: "Salon Canning",
      city: "Buenos Aires",
      country: "Argentina",
      ...overrides,
    })
    .returning();
  return event!;
}

export async function follow(db: Db, followerId: number, followingId: number) {
  await db.insert(follows).values({ followerId, followingId });
}

/** Both rows of a friendship (one per direction), as the friendships module writes them. */
export async function befriend(
  db: Db,
  userId: number,
  friendId: number,
  overrides: Partial<typeof friendships.$inferInsert> = {},
) {
  const rows = await db
    .insert(friendships)
    .values([
      { userId, friendId, ...overrides },
      { userId: friendId, friendId: userId, ...overrides },
    ])
    .returning();
  return { forward: rows[0]!, reverse: rows[1]! };
}

export async function addFriendshipActivity(db: Db, friendshipId: number, activityType: string, createdAt?: Date) {
  await db.insert(friendshipActivities).values({ friendshipId, activityType, ...(createdAt ? { createdAt } : {}) });
}

export async function rsvp(db: Db, eventId: number, userId: number, status = "going") {
  await db.insert(eventRsvps).values({ eventId, userId, status });
}

export async function likePost(db: Db, postId: number, userId: number, createdAt?: Date) {
  await db.insert(postLikes).values({ postId, userId, ...(createdAt ? { createdAt } : {}) });
  await db.execute(sql`UPDATE posts SET likes = likes + 1 WHERE id = ${postId}`);
}

/** A direct chat room between two users. */
export async function createDirectRoom(db: Db, a: number, b: number) {
  const [room] = await db.insert(chatRooms).values({ type: "direct" }).returning();
  await db.insert(chatRoomUsers).values([
    { chatRoomId: room!.id, userId: a },
    { chatRoomId: room!.id, userId: b },
  ]);
  return room!;
}

export async function sendChatMessage(db: Db, chatRoomId: number, userId: number, message: string, createdAt?: Date) {
  const [row] = await db
    .insert(chatMessages)
    .values({ chatRoomId, userId, message, ...(createdAt ? { createdAt } : {}) })
    .returning();
  return row!;
}
