import { inArray, sql } from "drizzle-orm";
import { agentHealth, esaAgents, featureFlags, users } from "../../drizzle/schema";
import type { Db } from "../../src/lib/db";

export interface AdminSeedCounts {
  admins: number;
  agents: number;
  featureFlags: number;
}

/** The demo Super Admin's username: the account to try the admin routes with. */
export const SEED_ADMIN_USERNAME = "demo_admin";

interface DemoAgent {
  code: string;
  name: string;
  type: string;
  parent?: string;
  chief?: string;
  layer?: number;
  tier?: number;
  status: string;
  health?: { status: string; responseTime: number; errorCount: number };
}

/**
 * A small ESA hierarchy as the original platform drew it: the board, two division chiefs, the
 * layer agents under them, an algorithm, Mr. Blue and a Life CEO agent; in each life-cycle
 * state, with a latest health report for the active ones.
 */
const AGENTS: DemoAgent[] = [
  { code: "B1", name: "ESA Board", type: "board", tier: 1, status: "active", health: { status: "healthy", responseTime: 80, errorCount: 0 } },
  { code: "D1", name: "Foundation Division", type: "division", parent: "B1", tier: 2, status: "active", health: { status: "healthy", responseTime: 95, errorCount: 0 } },
  { code: "D2", name: "Intelligence Division", type: "division", parent: "B1", tier: 2, status: "active", health: { status: "degraded", responseTime: 870, errorCount: 3 } },
  { code: "L1", name: "Database Architecture", type: "layer", parent: "D1", chief: "D1", layer: 1, tier: 3, status: "active", health: { status: "healthy", responseTime: 40, errorCount: 0 } },
  { code: "L2", name: "API Structure", type: "layer", parent: "D1", chief: "D1", layer: 2, tier: 3, status: "certified" },
  { code: "L31", name: "Core AI Infrastructure", type: "layer", parent: "D2", chief: "D2", layer: 31, tier: 3, status: "training" },
  { code: "A12", name: "Closeness Scoring", type: "algorithm", parent: "D2", chief: "D2", tier: 4, status: "active", health: { status: "failing", responseTime: 2400, errorCount: 17 } },
  { code: "MB1", name: "Mr. Blue", type: "mr_blue", parent: "D2", chief: "D2", tier: 4, status: "inactive" },
  { code: "LC1", name: "Life CEO", type: "life_ceo", parent: "D2", chief: "D2", tier: 4, status: "inactive" },
];

const FLAGS = [
  { key: "chat.reactions", description: "Emoji reactions in chat rooms", enabled: true, rolloutPercentage: 100 },
  { key: "feed.trending_tab", description: "The trending tab in the feed, for a quarter of dancers", enabled: true, rolloutPercentage: 25 },
  { key: "housing.instant_book", description: "Instant booking, tried in Buenos Aires first", enabled: true, rolloutPercentage: 100, cities: ["Buenos Aires"] },
  { key: "admin.agent_console", description: "The agent console, for admins", enabled: true, rolloutPercentage: 100, minLevel: 5 },
];

/**
 * The platform admin's demo data: a Super Admin demo account (so the admin routes can be tried
 * with `npm run dev`), the ESA agents above with their latest health, and a few feature flags.
 * Agents and flags are kept by their unique code and key: a rerun updates them in place.
 */
export async function seedAdmin(db: Db, options: { emailDomain: string; password: string; log?: (line: string) => void }): Promise<AdminSeedCounts> {
  options.log?.("Platform admin: a Super Admin, ESA agents, feature flags");
  await db.insert(users).values({
    email: `${SEED_ADMIN_USERNAME}@${options.emailDomain}`,
    username: SEED_ADMIN_USERNAME,
    password: options.password,
    name: "Demo Admin",
    city: "Buenos Aires",
    country: "Argentina",
    role: "super_admin",
    isVerified: true,
  });

  const now = new Date();
  const codes = AGENTS.map((a) => a.code);
  await db
    .insert(esaAgents)
    .values(
      AGENTS.map((a) => ({
        agentCode: a.code,
        agentName: a.name,
        agentType: a.type,
        layerNumber: a.layer ?? null,
        tier: a.tier ?? null,
        status: a.status,
        certificationLevel: a.status === "active" || a.status === "certified" ? 2 : 0,
        certifiedAt: a.status === "active" || a.status === "certified" ? now : null,
        trainingCompletedAt: a.status === "active" || a.status === "certified" ? now : null,
        lastActiveAt: a.health ? now : null,
      })),
    )
    .onConflictDoUpdate({
      target: esaAgents.agentCode,
      set: { agentName: sql`excluded.agent_name`, agentType: sql`excluded.agent_type`, status: sql`excluded.status`, suspendedFrom: null, updatedAt: now },
    });
  // The hierarchy by code, once every agent has its id.
  await db.execute(sql`
    UPDATE esa_agents a SET parent_agent_id = p.id, division_chief_id = c.id
    FROM (VALUES ${sql.join(
      AGENTS.map((a) => sql`(${a.code}::text, ${a.parent ?? null}::text, ${a.chief ?? null}::text)`),
      sql`, `,
    )}) h(code, parent, chief)
    LEFT JOIN esa_agents p ON p.agent_code = h.parent
    LEFT JOIN esa_agents c ON c.agent_code = h.chief
    WHERE a.agent_code = h.code`);
  const reporting = AGENTS.filter((a) => a.health);
  await db
    .insert(agentHealth)
    .values(reporting.map((a) => ({ agentCode: a.code, status: a.health!.status, responseTime: a.health!.responseTime, errorCount: a.health!.errorCount, lastCheckAt: now })))
    .onConflictDoUpdate({
      target: agentHealth.agentCode,
      set: { status: sql`excluded.status`, responseTime: sql`excluded.response_time`, errorCount: sql`excluded.error_count`, lastCheckAt: now, updatedAt: now },
    });

  await db
    .insert(featureFlags)
    .values(FLAGS.map((f) => ({ ...f, cities: f.cities ?? [], minLevel: f.minLevel ?? null })))
    .onConflictDoNothing({ target: featureFlags.key });

  const agents = await db.select({ id: esaAgents.id }).from(esaAgents).where(inArray(esaAgents.agentCode, codes));
  return { admins: 1, agents: agents.length, featureFlags: FLAGS.length };
}
