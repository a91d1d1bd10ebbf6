import { z } from "@hono/zod-openapi";
import { jsonContent, problems } from "../../lib/openapi";
import { moduleRoutes } from "../../lib/routes";

export const HealthSchema = z
  .object({ ok: z.literal(true), db: z.literal("ok") })
  .openapi("Health");

const route = moduleRoutes("System");

export const health = route.public({
  method: "get",
  path: "/health",
  summary: "Liveness and database reachability",
  responses: {
    200: jsonContent(HealthSchema, "The API and its database answer"),
    ...problems(503),
  },
});
