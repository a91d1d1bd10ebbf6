import { Scalar } from "@scalar/hono-api-reference";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import type { AiProviderFactory } from "./lib/ai-providers";
import type { AppEnv } from "./lib/context";
import { createRouter } from "./lib/openapi";
import { authenticate } from "./middleware/auth";
import { requestContext } from "./middleware/context";
import { onError, onNotFound } from "./middleware/errors";
import { agentHealthRouter } from "./modules/agent-health";
import { agentsRouter } from "./modules/agents";
import { analyticsRouter } from "./modules/analytics";
import { assistantRouter } from "./modules/assistant";
import { auditRouter } from "./modules/audit";
import { authRouter } from "./modules/auth";
import { notificationsRouter } from "./modules/notifications";
import { blocksRouter } from "./modules/blocks";
import { chatRouter } from "./modules/chat";
import { deploymentsRouter } from "./modules/deployments";
import { directoryRouter } from "./modules/directory";
import { eventsRouter } from "./modules/events";
import { flagsRouter } from "./modules/flags";
import { graphRouter } from "./modules/graph";
import { groupsRouter } from "./modules/groups";
import { housingRouter } from "./modules/housing";
import { lifeCeoRouter } from "./modules/life-ceo";
import { liveNotifications, liveRouter } from "./modules/live";
import { MEDIA_UPLOAD_PATH, mediaRouter } from "./modules/media";
import { moderationRouter } from "./modules/moderation";
import { postsRouter } from "./modules/posts";
import { rolesRouter } from "./modules/roles";
import { searchRouter } from "./modules/search";
import { systemRouter } from "./modules/system";
import { travelRouter } from "./modules/travel";
import { usersRouter } from "./modules/users";
import { volunteersRouter } from "./modules/volunteers";

/** Request bodies above this are refused with 413 before they are read (uploads have their own caps). */
export const MAX_BODY_BYTES = 1024 * 1024;

export const API_INFO = {
  title: "Mundo Tango Edge API",
  version: "1.0.0",
  description:
    "The backend of Mundo Tango, the worldwide social network for tango dancers: profiles, posts, " +
    "friendships, milongas and festivals, chat, housing, teachers and venues, volunteers, trips, the assistants (Mr. Blue, Life CEO), and the platform's " +
    "admin (ESA agents, deployments, feature flags, analytics, audit log). Errors are RFC 9457 problem+json.",
};

export interface AppOptions {
  /** Replaces the configured model provider (tests pass a scripted fake: test/ai.ts). */
  aiProvider?: AiProviderFactory;
}

/**
 * The whole HTTP API: cross-cutting middleware, then one router per domain module.
 * Built once per isolate; everything per-request lives on `c.var`.
 */
export function createApp(options: AppOptions = {}) {
  const app = createRouter();

  app.use(requestId());
  app.use(requestContext({ aiProvider: options.aiProvider }));
  // After the response, the live channels of the dancers this request notified are told.
  app.use(liveNotifications);
  // Not overwriting: served media set their own Cross-Origin-Resource-Policy (the web app
  // shows them from another origin).
  app.use(secureHeaders({ overwrite: false }));
  app.use(
    cors({
      origin: (origin, c: Context<AppEnv>) => {
        const allowed = c.var.ctx.config.CORS_ORIGINS.split(",").map((o) => o.trim());
        return allowed.includes("*") || allowed.includes(origin) ? origin : null;
      },
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key"],
      allowMethods: ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "Idempotent-Replayed"],
      maxAge: 600,
    }),
  );
  const apiBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES });
  app.use("/api/*", createMiddleware<AppEnv>((c, next) => (c.req.path === MEDIA_UPLOAD_PATH ? next() : apiBodyLimit(c, next))));
  app.use("/api/*", authenticate);
  app.use("/api/*", async (c, next) => {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "private, no-store");
  });

  // Chained so that the app's type carries every route, for the typed client (src/client.ts).
  const api = app
    .route("/", systemRouter)
    .route("/", authRouter)
    .route("/", notificationsRouter)
    .route("/", usersRouter)
    .route("/", blocksRouter)
    .route("/", graphRouter)
    .route("/", rolesRouter)
    .route("/", mediaRouter)
    .route("/", moderationRouter)
    .route("/", postsRouter)
    .route("/", eventsRouter)
    .route("/", groupsRouter)
    .route("/", chatRouter)
    .route("/", liveRouter)
    .route("/", searchRouter)
    .route("/", housingRouter)
    .route("/", directoryRouter)
    .route("/", volunteersRouter)
    .route("/", travelRouter)
    .route("/", agentsRouter)
    .route("/", agentHealthRouter)
    .route("/", deploymentsRouter)
    .route("/", flagsRouter)
    .route("/", analyticsRouter)
    .route("/", auditRouter)
    .route("/", assistantRouter)
    .route("/", lifeCeoRouter);

  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  app.doc31("/openapi.json", { openapi: "3.1.0", info: API_INFO });
  app.get("/docs", Scalar({ url: "/openapi.json", pageTitle: API_INFO.title }));

  app.notFound(onNotFound);
  app.onError(onError);
  return api;
}

export type App = ReturnType<typeof createApp>;
