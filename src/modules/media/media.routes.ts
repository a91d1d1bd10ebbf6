import { problems } from "../../lib/openapi";
import { jsonContent } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";
import { MEDIA_TYPES } from "./media.policy";
import { BinarySchema, MediaKeyParam, UploadedMediaSchema } from "./media.schemas";

const route = moduleRoutes("Media");

const binaryContent = Object.fromEntries(Object.values(MEDIA_TYPES).map((type) => [type.contentType, { schema: BinarySchema }]));

export const upload = route.authed({
  method: "post",
  path: "/api/media",
  summary: "Upload a photo or a video",
  description:
    "The raw file as the body, with its Content-Type and Content-Length. The type stored is the one " +
    "the bytes are (JPEG, PNG, WebP, GIF, MP4, WebM); the declared type must be one of these and name " +
    "the same family (a PNG sent as video/mp4 is 415 `media_type_mismatch`; anything else 415 " +
    "`unsupported_media_type`). Caps: 10 MB per image, 100 MB per video (413 `media_too_large`, told " +
    "from Content-Length before the body is read). The key is the server's. 30 uploads a minute per dancer.",
  request: { body: { content: binaryContent, required: true } },
  responses: {
    201: jsonContent(UploadedMediaSchema, "Stored; `url` goes into posts, comments and memories"),
    ...problems(400, 411, 413, 415, 429, 503),
  },
});

export const serve = route.public({
  method: "get",
  path: "/media/{key}",
  summary: "A stored photo or video (also HEAD)",
  description:
    "Public and immutable (`Cache-Control: public, max-age=31536000, immutable`), with an ETag: " +
    "`If-None-Match` gets a 304. One byte range (`bytes=0-99`, `bytes=100-`, `bytes=-500`) gets a 206 " +
    "with Content-Range, a range past the end 416; several ranges, or an `If-Range` that is not the " +
    "current strong ETag, get the whole file (200).",
  request: { params: MediaKeyParam },
  responses: {
    200: { content: Object.fromEntries(Object.keys(binaryContent).map((type) => [type, { schema: BinarySchema }])), description: "The file" },
    206: { description: "The requested byte range" },
    304: { description: "Not modified" },
    ...problems(400, 404, 416),
  },
});
