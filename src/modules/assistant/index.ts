// The module's public surface: other modules import only from here (a lint rule says so).

import { createRouter } from "../../lib/openapi";
import * as handlers from "./assistant.handlers";
import * as routes from "./assistant.routes";

const { mrBlue: mb, lifeCeo: lc } = routes;
const { mrBlueHandlers: mbh, lifeCeoHandlers: lch } = handlers;

/**
 * The assistants' conversations: Mr. Blue (`/api/ai`) and the Life CEO domains'
 * (`/api/life-ceo/conversations`), one engine (streamed replies, tools, quota).
 */
export const assistantRouter = createRouter()
  .openapi(routes.usage, handlers.usage)
  .openapi(mb.create, mbh.create)
  .openapi(mb.list, mbh.list)
  .openapi(mb.get, mbh.get)
  .openapi(mb.rename, mbh.rename)
  .openapi(mb.remove, mbh.remove)
  .openapi(mb.messages, mbh.messages)
  .openapi(mb.send, mbh.send)
  .openapi(lc.create, lch.create as never)
  .openapi(lc.list, lch.list as never)
  .openapi(lc.get, lch.get as never)
  .openapi(lc.rename, lch.rename as never)
  .openapi(lc.remove, lch.remove as never)
  .openapi(lc.messages, lch.messages as never)
  .openapi(lc.send, lch.send);
