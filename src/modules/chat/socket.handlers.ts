import { createMiddleware } from "hono/factory";
import { verifyAccessToken } from "../../lib/access-tokens";
import type { AppEnv, Ctx } from "../../lib/context";
import { AppError, forbidden, notFound, tooManyRequests } from "../../lib/errors";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { roomAccess } from "./chat.access";
import { failureCode } from "./chat-room.support";
import { chatRoomStub, IDENTITY_HEADER, type SendResult } from "./chat-room.rpc";
import type * as routes from "./socket.routes";

/** The subprotocol a browser offers with its token (`new WebSocket(url, ["bearer", token])`), and the one answered. */
export const BEARER_SUBPROTOCOL = "bearer";

/** The token in `Sec-WebSocket-Protocol: bearer, <token>`, if offered. */
function subprotocolToken(header: string | undefined): string | undefined {
  const offered = (header ?? "").split(",").map((p) => p.trim());
  const at = offered.findIndex((p) => p.toLowerCase() === BEARER_SUBPROTOCOL);
  return at >= 0 ? offered[at + 1] : undefined;
}

/**
 * Reads a socket's access token where a browser can put it, `?token=` or the subprotocols, when
 * `Authorization` did not carry one (the app's `authenticate` reads only that header). A bad
 * token is a 401, as in the header. The token is never logged: the access log has the route's
 * pattern, not the URL.
 */
export const socketToken = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.var.ctx.actor) {
    const token = c.req.query("token") ?? subprotocolToken(c.req.header("sec-websocket-protocol"));
    if (token !== undefined) {
      const claims = await verifyAccessToken(c.var.ctx.config.JWT_SECRET, token);
      c.set("ctx", { ...c.var.ctx, actor: { id: claims.userId, role: claims.role, level: claims.level, sessionId: claims.sessionId } });
    }
  }
  await next();
});

const blockedError = () => forbidden("You and this dancer can no longer write to each other.", "blocked");
const chatUnavailable = () =>
  new AppError(503, "chat_unavailable", "The chat room cannot be reached right now; retry shortly.", { headers: { "Retry-After": "2" } });

function unreachable(ctx: Ctx, roomId: number, error: unknown): AppError {
  ctx.logger.warn("chat room unreachable", { roomId, code: failureCode(error) });
  return chatUnavailable();
}

export const connect: Handler<typeof routes.connect> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const access = await roomAccess(ctx, id);
  if (access.blocked) throw blockedError();
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "This is a WebSocket: send `Upgrade: websocket`.", { headers: { Upgrade: "websocket" } });
  }
  // Only what the object needs: never the token, nor a client's own copy of the identity header.
  const forwarded = new Headers({ upgrade: "websocket", [IDENTITY_HEADER]: JSON.stringify(access.identity) });
  let upstream: Response;
  try {
    upstream = await chatRoomStub(c.env, id).fetch("https://chat-room.internal/ws", { headers: forwarded });
  } catch (error) {
    throw unreachable(ctx, id, error);
  }
  // The object refuses what it learnt of after the check above (a removal, a block).
  if (upstream.status === 404) throw notFound("chat room");
  if (upstream.status === 403) throw blockedError();
  if (upstream.status !== 101 || !upstream.webSocket) throw unreachable(ctx, id, new Error(`status ${upstream.status}`));
  const headers = new Headers();
  if (subprotocolToken(c.req.header("sec-websocket-protocol")) !== undefined) headers.set("sec-websocket-protocol", BEARER_SUBPROTOCOL);
  return new Response(null, { status: 101, webSocket: upstream.webSocket, headers });
};

/** A refused send as the problem REST answers with. */
function sendError(result: Extract<SendResult, { ok: false }>): AppError {
  switch (result.code) {
    case "not_a_member":
      return notFound("chat room");
    case "blocked":
      return blockedError();
    case "messages_not_allowed":
      return forbidden(result.message, "messages_not_allowed");
    case "media_url_not_allowed":
      return new AppError(400, "media_url_not_allowed", result.message, {
        errors: [{ path: "body.mediaUrl", message: "Not an image or a video uploaded with POST /api/media" }],
      });
    case "reply_not_found":
      return new AppError(404, "reply_not_found", result.message);
    case "client_id_reused":
      return new AppError(409, "client_id_reused", result.message);
    case "rate_limited":
      return tooManyRequests(Math.max(1, Math.ceil((result.retryAfterMs ?? 1000) / 1000)));
    case "unavailable":
      return chatUnavailable();
    default:
      return new AppError(400, result.code, result.message);
  }
}

export const send: Handler<typeof routes.send> = async (c) => {
  const ctx = actorCtx(c);
  const { id } = c.req.valid("param");
  const input = c.req.valid("json");
  const access = await roomAccess(ctx, id);
  if (access.blocked) throw blockedError();
  if (!access.identity.canSend) throw forbidden("This dancer does not take your messages.", "messages_not_allowed");
  let result: SendResult;
  try {
    result = await chatRoomStub(c.env, id).send(access.identity, input);
  } catch (error) {
    throw unreachable(ctx, id, error);
  }
  if (!result.ok) throw sendError(result);
  return c.json({ message: result.message, duplicate: result.duplicate }, result.duplicate ? 200 : 201);
};
