import { createRoute, z } from "@hono/zod-openapi";
import { jsonContent, problems } from "../../lib/openapi";

export const HealthSchema = z
  .object({ ok: z.literal(true), db: z.literal("ok") })
  .openapi("Health");

export const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["System"],
  summary: "Liveness and database reachability",
  responses: {
    200: jsonContent(HealthSchema, "The API and its database answer"),
    ...problems(503),
  },
});
