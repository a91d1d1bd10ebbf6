import { asc } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LIFE_CEO_DOMAINS, lifeCeoDomains } from "../../../drizzle/ai";
import { useTestDatabase } from "../../../test/harness";

const t = await useTestDatabase();

describe("the Life CEO domains", () => {
  it("are the 16 of drizzle/ai.ts, as the migration inserted them (name, agent, description, persona)", async () => {
    const rows = await t.db.select().from(lifeCeoDomains).orderBy(asc(lifeCeoDomains.id));
    expect(rows.map(({ name, agentId, description, persona }) => ({ name, agentId, description, persona }))).toEqual(
      LIFE_CEO_DOMAINS.map(({ name, agentId, description, persona }) => ({ name, agentId, description, persona })),
    );
    expect(rows.map((r) => r.agentId)).toEqual(Array.from({ length: 16 }, (_, i) => `P${66 + i}`));
  });

  it("GET /api/life-ceo/domains lists them to anyone, cacheable, without the personas", async () => {
    const res = await t.api.get("/api/life-ceo/domains");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(res.body.items).toHaveLength(16);
    expect(res.body.items[0]).toEqual({
      id: expect.any(Number),
      name: "Health & Wellness",
      agentId: "P66",
      description: LIFE_CEO_DOMAINS[0].description,
      icon: null,
      color: null,
    });
    expect(res.body.items.map((d: { name: string }) => d.name)).toEqual(LIFE_CEO_DOMAINS.map((d) => d.name));
  });
});
