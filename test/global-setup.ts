import type { TestProject } from "vitest/node";
import { testPostgresUrl } from "../tools/lib/database";
import { migrate } from "../tools/lib/migrate";
import { type NeonLocal, startNeonLocal } from "../tools/neon-local/server";

declare module "vitest" {
  export interface ProvidedContext {
    neonLocalUrl: string;
    templateDatabase: string;
    sharedDatabaseUrl: string;
  }
}

interface Started {
  local: NeonLocal;
  prefix: string;
  template: string;
  /** Projects still using it: the last one to finish stops it. */
  users: number;
}

/** One endpoint for the whole run, whichever project's setup asks first (each project runs this file). */
const globalKey = Symbol.for("mundo-tango.test.neon-local");
const store = globalThis as typeof globalThis & { [globalKey]?: Promise<Started> };

async function start(): Promise<Started> {
  const local = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl() });
  const prefix = `mt_test_${process.pid}_`;
  const template = `${prefix}template`;
  await local.backend.createDatabase(template);
  await migrate({ databaseUrl: local.connectionString(template), fetchEndpoint: `${local.url}/sql` });
  return { local, prefix, template, users: 0 };
}

/**
 * Starts the local Neon endpoint for the workerd tests (PGlite in memory, or the PostgreSQL
 * server in DATABASE_URL), migrates a template database once, and makes each project a shared
 * database from it (`<prefix><project>`: the Worker's own DATABASE_URL in that project, which
 * Durable Objects use). Test files copy the template into a database of their own.
 */
export default async function setup(project: TestProject) {
  store[globalKey] ??= start();
  const started = await store[globalKey];
  started.users += 1;
  const { local, prefix, template } = started;
  const shared = `${prefix}${project.name.replace(/[^a-z0-9_]/g, "_")}`;
  await local.backend.createDatabase(shared, template);

  project.provide("neonLocalUrl", local.url);
  project.provide("templateDatabase", template);
  project.provide("sharedDatabaseUrl", local.connectionString(shared));

  return async () => {
    started.users -= 1;
    if (started.users > 0) return;
    for (const name of await local.backend.listDatabases(prefix)) await local.backend.dropDatabase(name);
    await local.close();
    delete store[globalKey];
  };
}
