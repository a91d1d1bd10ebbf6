import { afterEach, describe, expect, it, vi } from "vitest";
import { unique } from "./factories";
import { createApi, useTestDatabase } from "./harness";

const t = await useTestDatabase();

/** Everything the Worker writes to the console while `run` runs, one string per call. */
async function captureConsole(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
  };
  for (const method of ["log", "info", "warn", "error", "debug"] as const) vi.spyOn(console, method).mockImplementation(record);
  await run();
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("logs carry codes and ids, never parameter values", () => {
  it("a database error forced through the API logs its SQLSTATE, not the statement's parameters", async () => {
    const api = createApi({ ...t.env, LOG_LEVEL: "debug" });
    const handle = unique("leak");
    const input = { email: `${handle}@example.com`, username: handle, password: "secret-milonga-password", name: `Name ${handle}` };
    // Longer than sessions.ip (varchar 64): only the database refuses it.
    const ip = `2001:db8::${"f".repeat(70)}${handle}`;
    let res: { status: number; body: any } | undefined;
    const lines = await captureConsole(async () => {
      res = await api.post("/api/auth/register", { json: input, headers: { "cf-connecting-ip": ip, "user-agent": `agent-${handle}` } });
    });
    expect(res!.status).toBe(400);
    expect(res!.body.code).toBe("invalid_value");
    const log = lines.join("\n");
    // The database error did reach the log, as its code...
    const rejected = lines.map((l) => JSON.parse(l) as Record<string, any>).find((l) => l.msg === "request rejected by the database");
    expect(rejected).toMatchObject({ level: "warn", code: "invalid_value", error: { sqlState: "22001" } });
    expect(rejected!.requestId).toEqual(expect.any(String));
    expect(log).toContain('"msg":"request"');
    // ...and nothing the statement carried: no email, username, name, IP, user agent, password,
    // password hash, token or token hash.
    for (const secret of [input.email, handle, input.name, input.password, ip, "scrypt", "$2"]) expect(log).not.toContain(secret);
    expect(log).not.toMatch(/[0-9a-f]{64}/);
    expect(log).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(log).not.toMatch(/INSERT|SELECT|params/i);
  });

  it("the access log names the route's pattern, not a username or hashtag from the path", async () => {
    const api = createApi({ ...t.env, LOG_LEVEL: "debug" });
    const handle = unique("pathleak");
    const lines = await captureConsole(async () => {
      await api.get(`/api/users/${handle}`);
      await api.get(`/api/hashtags/${handle}/posts`);
    });
    const requests = lines.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.msg === "request");
    expect(requests.map((l) => String(l.route))).toEqual(["/api/users/:idOrUsername", "/api/hashtags/:tag/posts"]);
    expect(lines.join("\n")).not.toContain(handle);
  });
});
