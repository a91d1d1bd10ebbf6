import { AppError } from "../../lib/errors";
import type { AppRouteHandler } from "../../lib/openapi";
import type { health } from "./system.routes";
import { pingDatabase } from "./system.service";

export const getHealth: AppRouteHandler<typeof health> = async (c) => {
  if (!(await pingDatabase(c.var.ctx))) {
    throw new AppError(503, "database_unavailable", "The database is not reachable.", {
      headers: { "Retry-After": "5" },
    });
  }
  return c.json({ ok: true as const, db: "ok" as const }, 200);
};
