import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../lib/context";
import { AppError } from "../../lib/errors";
import type { health } from "./system.routes";
import { pingDatabase } from "./system.service";

export const getHealth: RouteHandler<typeof health, AppEnv> = async (c) => {
  if (!(await pingDatabase(c.var.db))) {
    throw new AppError(503, "database_unavailable", "The database is not reachable.", {
      headers: { "Retry-After": "5" },
    });
  }
  return c.json({ ok: true as const, db: "ok" as const }, 200);
};
