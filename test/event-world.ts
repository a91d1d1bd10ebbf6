import { blockedUsers, eventCoOrganizers, type events } from "../drizzle/schema";
import { tokenFor } from "./auth";
import { createEvent, createGroupWithAdmin, createUser } from "./factories";
import type { TestContext } from "./harness";

/**
 * The visibility matrix every event read path is tested against: an organizer with a public
 * event, a draft, an event hidden by moderation and one hosted by a private group (created in
 * that order with `overrides`: the same title, place or time for all four), a co-organizer of
 * all four, and the viewers: the organizer, the co-organizer, a member of the private group, a
 * stranger, a dancer who blocked the organizer, one the organizer blocked, and an anonymous
 * caller. `sees` lists the event ids each may see (eventVisibleTo), ascending; `listed`, those a
 * listing of published events shows them (drafts and hidden events are never listed); `inGroup`,
 * whether they are an active member of the private group (a co-organizer is not).
 */
export async function eventVisibilityWorld(t: TestContext, overrides: Partial<typeof events.$inferInsert> = {}) {
  const [organizer, co, member, stranger, blocker, blocked] = await Promise.all(Array.from({ length: 6 }, () => createUser(t.db)));
  await t.db.insert(blockedUsers).values([
    { blockerId: blocker!.id, blockedId: organizer!.id },
    { blockerId: organizer!.id, blockedId: blocked!.id },
  ]);
  const group = await createGroupWithAdmin(t.db, organizer!.id, { type: "private", members: [{ userId: member!.id }] });
  const event = (extra: Partial<typeof events.$inferInsert>) => createEvent(t.db, { userId: organizer!.id, ...overrides, ...extra });
  const pub = await event({});
  const draft = await event({ status: "draft" });
  const hidden = await event({ hiddenAt: new Date() });
  const grouped = await event({ groupId: group.id });
  const all = [pub, draft, hidden, grouped];
  await t.db.insert(eventCoOrganizers).values(all.map((e) => ({ eventId: e.id, userId: co!.id, addedBy: organizer!.id })));
  const ids = (list: { id: number }[]) => list.map((e) => e.id);
  const viewer = async (label: string, user: { id: number; role: string } | null, sees: { id: number }[], listed: { id: number }[]) => ({
    label,
    user,
    token: user ? await tokenFor(t, user) : undefined,
    sees: ids(sees),
    listed: ids(listed),
    /** An active member of the private group (its admin, the organizer, included). */
    inGroup: user !== null && (user.id === organizer!.id || user.id === member!.id),
  });
  return {
    organizer: organizer!,
    co: co!,
    group,
    events: { pub, draft, hidden, grouped, all },
    viewers: [
      await viewer("the organizer", organizer!, all, [pub, grouped]),
      await viewer("a co-organizer", co!, all, [pub, grouped]),
      await viewer("a member of the private group", member!, [pub, grouped], [pub, grouped]),
      await viewer("a stranger", stranger!, [pub], [pub]),
      await viewer("a dancer who blocked the organizer", blocker!, [], []),
      await viewer("a dancer the organizer blocked", blocked!, [], []),
      await viewer("an anonymous caller", null, [pub], [pub]),
    ],
  };
}
