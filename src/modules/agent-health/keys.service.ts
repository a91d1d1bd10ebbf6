import { sql } from "drizzle-orm";
import type { ActorCtx } from "../../lib/context";
import { randomToken, sha256Hex } from "../../lib/crypto";
import { notFound } from "../../lib/errors";
import { isoUtc } from "../../lib/time";
import { auditCte, auditRow } from "../audit";
import type { ApiKey } from "./agent-health.schemas";

/** What every agent key starts with, so a leaked one is recognisable (secret scanners, logs). */
export const AGENT_KEY_PREFIX = "mta_ag_";

/** The columns an audit row of an agent never copies: the key's hash is a credential. */
const SECRET_COLUMNS = ["api_key_hash"] as const;

/**
 * A new agent key: `mta_ag_<8 public chars>_<43 secret chars>`. The public part is 6 random
 * bytes of its own (not a slice of the secret), kept as the key's prefix to tell keys apart; the
 * secret is 32 random bytes. Only the SHA-256 of the whole key is stored: a password hash
 * (slow, salted) is for guessable secrets, and 256 random bits cannot be guessed, so a fast
 * hash loses nothing and keeps each report to one indexed lookup.
 */
export async function newAgentKey(): Promise<{ apiKey: string; prefix: string; hash: string }> {
  const prefix = `${AGENT_KEY_PREFIX}${randomToken(6)}`;
  const apiKey = `${prefix}_${randomToken(32)}`;
  return { apiKey, prefix, hash: await sha256Hex(apiKey) };
}

/**
 * Makes or rotates an agent's key, in one statement with its audit row: the old key stops
 * working the moment this commits (its hash is overwritten). The agent's row is locked first,
 * so two rotations racing each other each record the key they really replaced, and the last
 * one's key is the one that works. The hash never reaches the audit log. Suspended agents may
 * get a key (it works again once the suspension is lifted).
 */
export async function rotateKey({ db, actor }: ActorCtx, agentId: number): Promise<ApiKey> {
  const key = await newAgentKey();
  const { rows } = await db.execute<{ id: number; api_key_prefix: string; rotated_at: string }>(sql`
    WITH old AS (SELECT * FROM esa_agents WHERE id = ${agentId} FOR UPDATE),
    changed AS (
      UPDATE esa_agents a
      SET api_key_hash = ${key.hash}, api_key_prefix = ${key.prefix}, api_key_rotated_at = now(), updated_at = now()
      FROM old WHERE a.id = old.id
      RETURNING a.id, a.api_key_prefix, a.api_key_rotated_at::text AS rotated_at,
                ${auditRow(sql`old`, SECRET_COLUMNS)} AS before, ${auditRow(sql`a`, SECRET_COLUMNS)} AS after
    ),
    ${auditCte({
      actorId: actor.id,
      action: "agent.rotate_key",
      objectType: "esa_agent",
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.before`,
      after: sql`changed.after`,
    })}
    SELECT id, api_key_prefix, rotated_at FROM changed`);
  const row = rows[0];
  if (!row) throw notFound("agent");
  return { agentId: row.id, apiKey: key.apiKey, prefix: row.api_key_prefix, rotatedAt: isoUtc(row.rotated_at) };
}

/**
 * Revokes an agent's key (audited, in the same statement): its reports are refused from then
 * on. Idempotent: revoking when there is no key is a 204 that records nothing. An unknown
 * agent is a 404.
 */
export async function revokeKey({ db, actor }: ActorCtx, agentId: number): Promise<void> {
  const { rows } = await db.execute<{ found: boolean }>(sql`
    WITH old AS (SELECT * FROM esa_agents WHERE id = ${agentId} FOR UPDATE),
    changed AS (
      UPDATE esa_agents a
      SET api_key_hash = NULL, api_key_prefix = NULL, api_key_rotated_at = NULL, updated_at = now()
      FROM old WHERE a.id = old.id AND old.api_key_hash IS NOT NULL
      RETURNING a.id, ${auditRow(sql`old`, SECRET_COLUMNS)} AS before, ${auditRow(sql`a`, SECRET_COLUMNS)} AS after
    ),
    ${auditCte({
      actorId: actor.id,
      action: "agent.revoke_key",
      objectType: "esa_agent",
      from: sql`changed`,
      objectId: sql`changed.id`,
      before: sql`changed.before`,
      after: sql`changed.after`,
    })}
    SELECT EXISTS (SELECT 1 FROM old) AS found`);
  if (!rows[0]?.found) throw notFound("agent");
}
