import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Ctx } from "../../lib/context";
import { notFound } from "../../lib/errors";
import { keysetPage, type Page, type PageRequest, PgTimestampText, sortedPage } from "../../lib/pagination";
import { INT4_MAX } from "../../lib/text";
import { isoUtc } from "../../lib/time";
import type { AgentHealthEntry, Dashboard, HealthCounts, HistoryEntry, Percentiles } from "./agent-health.schemas";

/**
 * Where each health status sorts on the dashboard: what needs a look first (failing, then
 * degraded, then silent: offline, never reported), healthy last.
 */
const STATUS_RANK = sql`CASE COALESCE(h.status, 'unknown') WHEN 'failing' THEN 0 WHEN 'degraded' THEN 1 WHEN 'offline' THEN 2 WHEN 'unknown' THEN 3 ELSE 4 END`;

const DashboardCursor = z.tuple([z.number().int().min(0).max(4), z.number().int().min(1).max(INT4_MAX)]);
const AgentCursor = z.tuple([z.number().int().min(1).max(INT4_MAX)]);
/** History keyset: the time, then the report's id (0 for a day row, which its day alone tells apart). */
const HistoryCursor = z.tuple([PgTimestampText, z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)]);

type BoardRow = {
  total: number;
  failing: number;
  degraded: number;
  offline: number;
  unknown: number;
  healthy: number;
  id: number | null;
  agent_code: string;
  agent_name: string;
  agent_type: string;
  agent_status: string;
  health: AgentHealthEntry["status"];
  last_check_at: string | null;
  response_time: number | null;
  error_count: number | null;
  error_details: unknown;
  has_key: boolean;
  rank: number;
};

/**
 * The health dashboard, in one statement: every agent with its latest health (`unknown` when it
 * never reported), failing first, then degraded, offline, unknown and healthy (by agent id
 * within a status), a page at a time; and the counts by status over all agents, which the page
 * is joined to (so a page past the end still carries them).
 */
export async function dashboard({ db }: Ctx, page: PageRequest): Promise<Dashboard> {
  let counts: HealthCounts | undefined;
  const result = await sortedPage(
    page,
    { by: [sql`rank`, sql`id`], direction: "asc", cursor: DashboardCursor },
    async (keyset) => {
      const { rows } = await db.execute<BoardRow>(sql`
        WITH board AS (
          SELECT a.id, a.agent_code, a.agent_name, a.agent_type, a.status AS agent_status,
                 a.api_key_hash IS NOT NULL AS has_key, COALESCE(h.status, 'unknown') AS health,
                 h.last_check_at::text AS last_check_at, h.response_time, h.error_count, h.error_details,
                 ${STATUS_RANK} AS rank
          FROM esa_agents a LEFT JOIN agent_health h ON h.agent_code = a.agent_code
        ),
        counts AS (
          SELECT count(*)::int AS total,
                 count(*) FILTER (WHERE health = 'failing')::int AS failing,
                 count(*) FILTER (WHERE health = 'degraded')::int AS degraded,
                 count(*) FILTER (WHERE health = 'offline')::int AS offline,
                 count(*) FILTER (WHERE health = 'unknown')::int AS unknown,
                 count(*) FILTER (WHERE health = 'healthy')::int AS healthy
          FROM board
        )
        SELECT c.*, p.* FROM counts c
        LEFT JOIN LATERAL (SELECT * FROM board WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}) p ON true`);
      const first = rows[0];
      if (first) {
        counts = { total: first.total, failing: first.failing, degraded: first.degraded, offline: first.offline, unknown: first.unknown, healthy: first.healthy };
      }
      return rows.filter((row) => row.id !== null);
    },
    {
      item: (row): AgentHealthEntry => ({
        agentId: Number(row.id),
        agentCode: row.agent_code,
        agentName: row.agent_name,
        agentType: row.agent_type,
        agentStatus: row.agent_status,
        status: row.health,
        lastCheckAt: isoUtc(row.last_check_at),
        responseTime: row.response_time,
        errorCount: row.error_count,
        errorDetails: row.error_details ?? null,
        hasApiKey: row.has_key,
      }),
      key: (row) => [Number(row.rank), Number(row.id)] as [number, number],
    },
  );
  return { counts: counts!, ...result };
}

/**
 * Response-time percentiles (p50, p95, p99, by `percentile_cont`) per agent over the 24 hours
 * before the request, by agent id, a page of agents at a time: one statement, each agent's
 * window read through the (agent_code, reported_at) index. Agents without a timed report in
 * the window have null percentiles. The offline job's history rows carry no response time, so
 * they do not count.
 */
export async function percentiles({ db }: Ctx, page: PageRequest): Promise<Page<Percentiles>> {
  return sortedPage(
    page,
    { by: [sql`a.id`], direction: "asc", cursor: AgentCursor },
    async (keyset) => {
      const { rows } = await db.execute<{ id: number; agent_code: string; reports: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }>(sql`
        SELECT a.id, a.agent_code, s.* FROM esa_agents a
        CROSS JOIN LATERAL (
          SELECT count(r.response_time)::int AS reports,
                 percentile_cont(0.5) WITHIN GROUP (ORDER BY r.response_time) AS p50,
                 percentile_cont(0.95) WITHIN GROUP (ORDER BY r.response_time) AS p95,
                 percentile_cont(0.99) WITHIN GROUP (ORDER BY r.response_time) AS p99,
                 max(r.response_time) AS max
          FROM agent_health_reports r
          WHERE r.agent_code = a.agent_code AND r.reported_at >= now() - interval '24 hours'
        ) s
        WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit}`);
      return rows;
    },
    {
      item: (row) => ({
        agentId: Number(row.id),
        agentCode: row.agent_code,
        reports: Number(row.reports),
        p50: row.p50 === null ? null : Number(row.p50),
        p95: row.p95 === null ? null : Number(row.p95),
        p99: row.p99 === null ? null : Number(row.p99),
        max: row.max === null ? null : Number(row.max),
      }),
      key: (row) => [Number(row.id)] as [number],
    },
  );
}

type HistoryRow = {
  id: string | number | null;
  at: string;
  at_key: string;
  kind: "report" | "day";
  status: HistoryEntry["status"];
  response_time: number | null;
  error_count: number;
  error_details: unknown;
  reports: number | null;
  healthy: number | null;
  degraded: number | null;
  failing: number | null;
  offline: number | null;
  unknown: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
};

/**
 * One agent's health history, newest first: its reports, then (older than 30 days) its
 * summarised days, as one list under one keyset (time, id; a day's time is its start and its
 * id 0). One statement: the agent (an unknown one is a 404, the same query telling it from an
 * agent with no history), and each source read through its own index for just one page.
 */
export async function history({ db }: Ctx, input: PageRequest & { agentId: number }): Promise<Page<HistoryEntry>> {
  let known = false;
  const page = await keysetPage(
    input,
    { time: sql`at`, id: sql`id`, cursor: HistoryCursor },
    async (keyset) => {
      const { rows } = await db.execute<HistoryRow>(sql`
        SELECT e.* FROM esa_agents a
        LEFT JOIN LATERAL (
          SELECT h.*, h.at::text AS at_key FROM (
            (SELECT * FROM (
               SELECT r.reported_at AS at, r.id, 'report' AS kind, r.status, r.response_time, r.error_count, r.error_details,
                      NULL::int AS reports, NULL::int AS healthy, NULL::int AS degraded, NULL::int AS failing,
                      NULL::int AS offline, NULL::int AS unknown, NULL::int AS p50, NULL::int AS p95, NULL::int AS max
               FROM agent_health_reports r WHERE r.agent_code = a.agent_code
             ) r WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit})
            UNION ALL
            (SELECT * FROM (
               SELECT d.day::timestamp AS at, 0::bigint AS id, 'day' AS kind, NULL::varchar AS status, d.avg_response_time,
                      d.error_count, NULL::jsonb, d.reports, d.healthy, d.degraded, d.failing, d.offline, d.unknown,
                      d.p50_response_time, d.p95_response_time, d.max_response_time
               FROM agent_health_daily d WHERE d.agent_code = a.agent_code
             ) d WHERE ${keyset.after} ORDER BY ${keyset.order} LIMIT ${keyset.limit})
          ) h
          ORDER BY ${keyset.order} LIMIT ${keyset.limit}
        ) e ON true
        WHERE a.id = ${input.agentId}`);
      known = rows.length > 0;
      return rows.filter((row) => row.id !== null);
    },
    {
      item: (row): HistoryEntry => ({
        kind: row.kind,
        at: isoUtc(row.at),
        status: row.status,
        responseTime: row.response_time,
        errorCount: Number(row.error_count),
        errorDetails: row.error_details ?? null,
        day:
          row.kind === "day"
            ? {
                reports: Number(row.reports),
                healthy: Number(row.healthy),
                degraded: Number(row.degraded),
                failing: Number(row.failing),
                offline: Number(row.offline),
                unknown: Number(row.unknown),
                p50ResponseTime: row.p50,
                p95ResponseTime: row.p95,
                maxResponseTime: row.max,
              }
            : null,
      }),
      key: (row) => [row.at_key, Number(row.id)] as [string, number],
    },
  );
  if (!known) throw notFound("agent");
  return page;
}
