// The module's public surface: other modules import only from here (a lint rule says so).
// Rules, URL checks and embeds come first, so that modules importing this one find them
// evaluated before the router pulls in handlers.
export { familyOfKey, MEDIA_PATH_PREFIX, MEDIA_TYPES, MEDIA_UPLOAD_PATH, type MediaFamily } from "./media.policy";
export { assertOwnMediaUrls, isAllowedMediaUrl, MediaUrl, mediaUrlFor } from "./media.urls";
export { normaliseEmbedUrl, type Embed, type EmbedProvider } from "./media.embeds";

import { createRouter } from "../../lib/openapi";
import * as handlers from "./media.handlers";
import * as routes from "./media.routes";

/** Photos and videos on R2: uploads (`POST /api/media`) and serving (`GET /media/{key}`). */
export const mediaRouter = createRouter().openapi(routes.upload, handlers.upload).openapi(routes.serve, handlers.serve);
