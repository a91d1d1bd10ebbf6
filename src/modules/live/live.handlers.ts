import { AppError } from "../../lib/errors";
import type { AppRouteHandler as Handler } from "../../lib/openapi";
import { actorCtx } from "../../middleware/auth";
import { subprotocolToken } from "./live.auth";
import type * as routes from "./live.routes";
import { LIVE_USER_HEADER, userHubStub } from "./live.rpc";
import { assertLiveAllowed } from "./live.service";

/**
 * Checks the upgrade (token, upgrade header, usable account) and hands it to the dancer's hub,
 * saying whose it is. The hub gets a request of the Worker's making: the client's headers
 * (its token, any copy of the identity header) stay here.
 */
export const connect: Handler<typeof routes.connect> = async (c) => {
  const ctx = actorCtx(c);
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(426, "upgrade_required", "Open the live channel with a WebSocket upgrade (Upgrade: websocket).", {
      headers: { Upgrade: "websocket" },
    });
  }
  await assertLiveAllowed(ctx);
  const headers = new Headers({ upgrade: "websocket", [LIVE_USER_HEADER]: String(ctx.actor.id) });
  // The hub answers `bearer` when it was offered; the token itself stays here.
  if (subprotocolToken(c.req.header("sec-websocket-protocol"))) headers.set("sec-websocket-protocol", "bearer");
  const res = await userHubStub(c.env, ctx.actor.id).fetch("https://user-hub/connect", { headers });
  // A response of our own: the hub's headers are immutable, and the app's middleware adds some.
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers), webSocket: res.webSocket });
};
