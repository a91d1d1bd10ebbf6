/** The whole database schema: tables, their zod schemas and relations, one file per domain. */
export * from "./ai";
export * from "./chat";
export * from "./content";
export * from "./events";
export * from "./friendships";
export * from "./graph";
export * from "./groups";
export * from "./idempotency";
export * from "./identity";
export * from "./moderation";
export * from "./notifications";
export * from "./platform";
export * from "./relations";
export * from "./social";
export * from "./users";
