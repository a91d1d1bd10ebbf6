import type { TestProject } from "vitest/node";
import { testPostgresUrl } from "../tools/lib/database";
import { migrate } from "../tools/lib/migrate";
import { startNeonLocal } from "../tools/neon-local/server";

declare module "vitest" {
  export interface ProvidedContext {
    neonLocalUrl: string;
    templateDatabase: string;
    sharedDatabaseUrl: string;
  }
}

/**
 * Starts the local Neon endpoint for the workerd tests (PGlite in memory, or the
 * PostgreSQL server in DATABASE_URL), migrates a template database once, and makes a
 * shared database from it. Test files copy the template into a database of their own.
 */
export default async function setup(project: TestProject) {
  const local = await startNeonLocal({ port: 0, databaseUrl: testPostgresUrl() });
  const prefix = `mt_test_${process.pid}_`;
  const template = `${prefix}template`;
  const shared = `${prefix}shared`;
  await local.backend.createDatabase(template);
  await migrate({ databaseUrl: local.connectionString(template), fetchEndpoint: `${local.url}/sql` });
  await local.backend.createDatabase(shared, template);

  project.provide("neonLocalUrl", local.url);
  project.provide("templateDatabase", template);
  project.provide("sharedDatabaseUrl", local.connectionString(shared));

  return async () => {
    for (const name of await local.backend.listDatabases(prefix)) await local.backend.dropDatabase(name);
    await local.close();
  };
}
