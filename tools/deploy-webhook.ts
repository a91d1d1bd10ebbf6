/**
 * `npx tsx tools/deploy-webhook.ts --url <api>/api/deployments/webhook --status building`: how CI
 * reports a deployment's moves. Signs the report as the API checks it (HMAC-SHA256 of
 * `<unix seconds>.<body>` under DEPLOY_WEBHOOK_SECRET, from the environment) and posts it.
 * On GitHub Actions the run id, commit, branch and actor default from the job's variables, so a
 * step needs only `--status` (and `--version-id`, `--deploy-url`, `--logs`, `--error` as known).
 * Exits 0 when the API took the report, 1 otherwise (its problem+json on stderr).
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** What the API keeps of a build log (MAX_BUILD_LOG_CHARS in src/modules/deployments). */
export const MAX_LOG_CHARS = 65_536;

/**
 * A build log as the API takes it: terminal colour escapes and other control characters (the
 * API refuses them) removed, line breaks and tabs kept, and its last {@link MAX_LOG_CHARS}
 * characters, where the error usually is.
 */
export function logTail(log: string): string {
  const clean = log
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, "");
  return clean.length > MAX_LOG_CHARS ? clean.slice(clean.length - MAX_LOG_CHARS) : clean;
}

/** The headers of a signed delivery of `body` at `timestamp` (unix seconds). */
export function signedHeaders(secret: string, body: string, timestamp: number): Record<string, string> {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return { "content-type": "application/json", "x-mundo-timestamp": String(timestamp), "x-mundo-signature": `sha256=${mac}` };
}

async function main(): Promise<number> {
  const env = process.env;
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      status: { type: "string" },
      "external-id": { type: "string", default: env.GITHUB_RUN_ID ? `gha-${env.GITHUB_RUN_ID}-${env.GITHUB_RUN_ATTEMPT ?? "1"}` : undefined },
      type: { type: "string" },
      branch: { type: "string", default: env.GITHUB_REF_NAME },
      sha: { type: "string", default: env.GITHUB_SHA },
      message: { type: "string" },
      "triggered-by": { type: "string", default: env.GITHUB_ACTOR },
      "version-id": { type: "string" },
      "deploy-url": { type: "string" },
      error: { type: "string" },
      logs: { type: "string" },
    },
  });
  const secret = env.DEPLOY_WEBHOOK_SECRET;
  const missing = [
    !values.url && "--url",
    !values.status && "--status",
    !values["external-id"] && "--external-id",
    !values.branch && "--branch",
    !secret && "DEPLOY_WEBHOOK_SECRET",
  ].filter(Boolean);
  if (missing.length) {
    console.error(`deploy-webhook: missing ${missing.join(", ")}`);
    return 2;
  }
  const report = {
    event: "deployment",
    externalId: values["external-id"],
    status: values.status,
    type: values.type,
    gitBranch: values.branch,
    gitCommitSha: values.sha,
    gitCommitMessage: values.message,
    triggeredBy: values["triggered-by"],
    versionId: values["version-id"],
    url: values["deploy-url"],
    errorMessage: values.error,
    buildLogs: values.logs === undefined ? undefined : logTail(readFileSync(values.logs, "utf8")),
  };
  const body = JSON.stringify(report);
  const response = await fetch(values.url!, { method: "POST", headers: signedHeaders(secret!, body, Math.floor(Date.now() / 1000)), body });
  if (response.ok) {
    const deployment = (await response.json()) as { id: number; status: string };
    console.log(`deployment ${deployment.id}: ${deployment.status}`);
    return 0;
  }
  console.error(`deploy-webhook: ${response.status} ${await response.text()}`);
  return 1;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
