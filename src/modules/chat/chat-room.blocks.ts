import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { notBlockedBetween } from "../blocks";
import { chatRoomStub } from "./chat-room.rpc";
import { failureCode } from "./chat-room.support";

/**
 * Tells the direct room of two dancers, if they have one, that a block between them was put or
 * lifted: its object closes the open sockets (4002) or takes sends again. The state and its time
 * are read from Postgres after the change committed, so of two changes racing, the later read
 * wins in the object. An object that cannot be reached is only logged: the upgrade and the send
 * check the block in Postgres anyway.
 *
 * @example
 * await blocks.blockUser(ctx, { userId });
 * await syncDirectRoomBlock(ctx, c.env, ctx.actor.id, userId);
 */
export async function syncDirectRoomBlock(ctx: Ctx, env: Env, a: number, b: number): Promise<void> {
  const { rows } = await ctx.db.execute<{ id: number; blocked: boolean; at: string }>(sql`
    SELECT r.id, NOT ${notBlockedBetween(a, b)} AS blocked,
      to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
    FROM chat_rooms r WHERE r.direct_key = ${`${Math.min(a, b)}:${Math.max(a, b)}`}`);
  const room = rows[0];
  if (!room) return;
  try {
    const closed = await chatRoomStub(env, Number(room.id)).setBlocked(Number(room.id), Boolean(room.blocked), room.at);
    ctx.logger.info("chat room block", { roomId: Number(room.id), blocked: Boolean(room.blocked), closed });
  } catch (error) {
    ctx.logger.warn("chat room block not delivered", { roomId: Number(room.id), code: failureCode(error) });
  }
}
