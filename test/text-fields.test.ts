import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { createRouter, jsonContent } from "../src/lib/openapi";
import { signedIn } from "./auth";
import { createUser, unique, uniqueIp } from "./factories";
import { createApi, useTestDatabase } from "./harness";

const t = await useTestDatabase();

const NUL = "\u0000";
const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

/** Every text field PATCH /api/users/me takes, with a valid value to spoil. */
const PROFILE_TEXT: Record<string, string> = {
  name: "Ana Fernandez",
  firstName: "Ana",
  lastName: "Fernandez",
  nickname: "La Negra",
  bio: "Dancing since 2001",
  city: "Rosario",
  state: "Santa Fe",
  country: "Argentina",
  occupation: "Teacher",
  profileImage: "https://img.example.com/a.png",
  backgroundImage: "https://img.example.com/b.png",
  facebookUrl: "https://facebook.com/ana",
  mobileNo: "+5491123456789",
  countryCode: "AR",
  stateCode: "S",
};

describe("a NUL (or another control character) in any text field is a 400, never a 500", () => {
  it("register: name", async () => {
    for (const name of [`Ana${NUL}`, "Ana\nFernandez", "Ana\u0007"]) {
      const handle = unique("nul");
      const res = await t.api.post("/api/auth/register", {
        json: { email: `${handle}@example.com`, username: handle, password: "milonga-de-prueba", name },
        headers: { "cf-connecting-ip": uniqueIp() },
      });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect(paths(res.body)).toEqual(["body.name"]);
    }
  });

  it("login: login (and a NUL in the password is just a wrong password)", async () => {
    const res = await t.api.post("/api/auth/login", {
      json: { login: `ana${NUL}`, password: "whatever" },
      headers: { "cf-connecting-ip": uniqueIp() },
    });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["body.login"]);
    const password = await t.api.post("/api/auth/login", {
      json: { login: unique("ana"), password: `what${NUL}ever` },
      headers: { "cf-connecting-ip": uniqueIp() },
    });
    expect(password.status).toBe(401);
  });

  it.each(Object.keys(PROFILE_TEXT))("PATCH /api/users/me: %s", async (field) => {
    const { token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me", { token, json: { [field]: `${PROFILE_TEXT[field]}${NUL}` } });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual([`body.${field}`]);
    const ok = await t.api.patch("/api/users/me", { token, json: { [field]: PROFILE_TEXT[field] } });
    expect(ok.status).toBe(200);
  });

  it("PATCH /api/users/me: items of languages", async () => {
    const { token } = await signedIn(t);
    const res = await t.api.patch("/api/users/me", { token, json: { languages: ["es", `en${NUL}`] } });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["body.languages.1"]);
  });

  it("single-line fields refuse line breaks; the bio is multi-line: line breaks and tabs yes, other controls no", async () => {
    const { token } = await signedIn(t);
    for (const field of ["name", "firstName", "city", "occupation"]) {
      const res = await t.api.patch("/api/users/me", { token, json: { [field]: "two\nlines" } });
      expect(res.status, field).toBe(400);
    }
    expect((await t.api.patch("/api/users/me", { token, json: { bio: "Line one\r\n\tLine two" } })).status).toBe(200);
    expect((await t.api.patch("/api/users/me", { token, json: { bio: "Bell\u0007" } })).status).toBe(400);
    expect((await t.api.patch("/api/users/me", { token, json: { bio: "Escape\u001b[31m" } })).status).toBe(400);
  });

  it("PUT /api/admin/users/{id}/role: reason", async () => {
    const admin = await signedIn(t, { role: "super_admin" });
    const dancer = await createUser(t.db);
    const res = await t.api.put(`/api/admin/users/${dancer.id}/role`, { token: admin.token, json: { role: "admin", reason: `ok${NUL}` } });
    expect(res.status).toBe(400);
    expect(paths(res.body)).toEqual(["body.reason"]);
  });

  it("a value Postgres still refuses (class 22, e.g. a NUL reaching it) is a 400 problem, as a safety net", async () => {
    const app = createApp();
    app.route(
      "/",
      createRouter().openapi(
        createRoute({ method: "get", path: "/api/probe/nul", responses: { 200: jsonContent(z.object({}), "never") } }),
        async (c) => {
          await c.var.ctx.db.execute(sql`SELECT ${`a${NUL}b`}::text`);
          return c.json({}, 200);
        },
      ),
    );
    const res = await createApi(t.env, app.fetch).get("/api/probe/nul");
    expect(res.status).toBe(400);
    expect(res.body.code).toBe("invalid_value");
  });
});
