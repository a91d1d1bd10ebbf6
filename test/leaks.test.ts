import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "../drizzle/schema";
import { createApp } from "../src/app";
import { createRouter, jsonContent } from "../src/lib/openapi";
import { signedIn } from "./auth";
import { createUser } from "./factories";
import { createApi, useTestDatabase } from "./harness";
import { findLeaks } from "./leaks";

const t = await useTestDatabase();

describe("the leak check every test response goes through", () => {
  it("flags any password hash, whoever is looking", async () => {
    const me = await createUser(t.db);
    expect(findLeaks('{"password":"$scrypt$ln=14,r=8,p=5$abc$def"}', new Set([me.id]))).toEqual(["a password hash"]);
    expect(findLeaks('{"x":"$2b$10$abcdefghijklmnopqrstuv"}', new Set())).toEqual(["a password hash"]);
  });

  it("flags another user's private fields but not the viewer's own", async () => {
    const ana = await createUser(t.db);
    const bruno = await createUser(t.db);
    const body = JSON.stringify({ email: ana.email, device: ana.deviceToken });
    expect(findLeaks(body, new Set([ana.id]))).toEqual([]);
    expect(findLeaks(body, new Set([bruno.id])).length).toBe(2);
    expect(findLeaks(JSON.stringify({ ip: bruno.lastLoginIp }), new Set())).toHaveLength(1);
  });

  it("fails the request that leaks", async () => {
    const victim = await createUser(t.db);
    const app = createApp();
    app.route(
      "/",
      createRouter().openapi(
        createRoute({ method: "get", path: "/api/leaky", responses: { 200: jsonContent(z.object({ email: z.string() }), "bad") } }),
        async (c) => {
          const [row] = await c.var.ctx.db.select({ email: users.email }).from(users).where(eq(users.id, victim.id));
          return c.json({ email: row!.email }, 200);
        },
      ),
    );
    const api = createApi(t.env, app.fetch);
    const { token } = await signedIn(t);
    await expect(api.get("/api/leaky", { token })).rejects.toThrow(/leaked user \d+'s private value/);
  });
});
