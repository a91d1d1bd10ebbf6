import { z } from "@hono/zod-openapi";
import { MEDIA_KEY_PATTERN } from "./media.policy";

export const UploadedMediaSchema = z
  .object({
    url: z.string().openapi({ description: "Where the file is served; what posts, comments and memories take", example: "https://mundotango.life/media/3q2-7wEjQyKlq0vKv9JzUw.jpg" }),
    key: z.string().openapi({ example: "3q2-7wEjQyKlq0vKv9JzUw.jpg" }),
    contentType: z.string().openapi({ description: "The type the bytes are (sniffed), not the one declared", example: "image/jpeg" }),
    size: z.number().int().openapi({ description: "Bytes" }),
  })
  .openapi("UploadedMedia");
export type UploadedMedia = z.infer<typeof UploadedMediaSchema>;

export const MediaKeyParam = z.object({
  key: z
    .string()
    .regex(MEDIA_KEY_PATTERN, "A media key as POST /api/media returns it")
    .openapi({ param: { name: "key", in: "path" }, example: "3q2-7wEjQyKlq0vKv9JzUw.jpg" }),
});

/** A file's bytes, as the upload body and the served content. */
export const BinarySchema = z.string().openapi({ format: "binary" });
