/**
 * The end-to-end harness: `npm run dev` on a fresh data directory and a free port, Debian's
 * Chromium driven by playwright-core, dancers made through the API (the typed client, as any
 * client would), and screenshots of each page at phone and desktop sizes.
 *
 * Environment: CHROMIUM_PATH (default /usr/bin/chromium), E2E_PORT (default: a free port),
 * E2E_BASE_URL (use a server already running instead of starting one), E2E_HEADED=1 (watch it).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type BrowserContextOptions, type Page, chromium } from "playwright-core";
import { createClient } from "../../src/client";
import { freePort, waitFor } from "../../tools/lib/net";

export { waitFor };

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const SCREENSHOTS = join(root, "test", "e2e", "screenshots");

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1280, height: 800 },
} as const;

export type Api = ReturnType<typeof createClient>;

export interface Dancer {
  id: number;
  username: string;
  name: string;
  email: string;
  password: string;
  accessToken: string;
  /** The typed client with this dancer's bearer token. */
  api: Api;
}

let counter = 0;
/** A name no other run or test has used: dancers are made fresh per test. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${counter}`.slice(0, 30);
}

export class E2E {
  baseUrl = "";
  browser!: Browser;
  private server: ChildProcess | null = null;
  private dataDir: string | null = null;
  private log = "";
  private contexts: BrowserContext[] = [];
  private problems: string[] = [];

  async start(): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    if (process.env.E2E_BASE_URL) {
      this.baseUrl = process.env.E2E_BASE_URL.replace(/\/$/, "");
    } else {
      const port = Number(process.env.E2E_PORT ?? (await freePort()));
      this.dataDir = mkdtempSync(join(tmpdir(), "mt-e2e-"));
      this.baseUrl = `http://127.0.0.1:${port}`;
      // Its own process group, so stopping it stops wrangler and workerd too. The embedded
      // database (PGlite) on a fresh directory, whatever DATABASE_URL the shell has.
      const env = { ...process.env, PORT: String(port), DATA_DIR: this.dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" };
      delete env.DATABASE_URL;
      this.server = spawn("npm", ["run", "dev"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      const keep = (chunk: Buffer) => {
        this.log = (this.log + chunk.toString()).slice(-20_000);
      };
      this.server.stdout?.on("data", keep);
      this.server.stderr?.on("data", keep);
      try {
        await waitFor(
          "npm run dev to serve /health",
          async () => {
            if (this.server?.exitCode !== null) throw new Error(`npm run dev exited:\n${this.log}`);
            const res = await fetch(`${this.baseUrl}/health`);
            return res.ok && (await res.json<{ db?: string }>()).db === "ok" ? true : undefined;
          },
          180_000,
        );
      } catch (error) {
        throw new Error(`${error instanceof Error ? error.message : "npm run dev failed"}\n--- npm run dev output ---\n${this.log}`, { cause: error });
      }
    }
    this.browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: process.env.E2E_HEADED !== "1",
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close().catch(() => undefined)));
    await this.browser?.close().catch(() => undefined);
    if (this.server?.pid && this.server.exitCode === null) {
      const server = this.server;
      const exited = new Promise((r) => server.once("exit", r));
      try {
        process.kill(-this.server.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    }
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The dev server's last output, for a failure's message. */
  serverLog(): string {
    return this.log;
  }

  /** A new browser profile (its own cookies): one per dancer. Its pages' script errors and CSP refusals are recorded. */
  async newContext(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.browser.newContext({ baseURL: this.baseUrl, viewport: VIEWPORTS.desktop, ...options });
    context.on("page", (page) => {
      page.on("pageerror", (error) => this.problems.push(`${page.url()}: ${error.message}`));
      page.on("console", (message) => {
        if (message.type() === "error" && /Content.Security.Policy/i.test(message.text())) this.problems.push(`${page.url()}: ${message.text()}`);
      });
    });
    this.contexts.push(context);
    return context;
  }

  /**
   * The script errors and CSP refusals seen since the last call, and any open page showing more
   * than one page title (a page left behind by a navigation): each test ends with none.
   */
  async takeProblems(): Promise<string[]> {
    for (const context of this.contexts) {
      for (const page of context.pages()) {
        const titles = await page.locator("h1").allInnerTexts().catch(() => []);
        if (titles.length > 1) this.problems.push(`${page.url()}: ${titles.length} page titles: ${titles.join(" | ")}`);
      }
    }
    return this.problems.splice(0);
  }

  /** The typed client, anonymous or with a bearer token. */
  client(token?: string): Api {
    return createClient(this.baseUrl, token ? { headers: { Authorization: `Bearer ${token}` } } : undefined);
  }

  /** A dancer registered through the API (bearer mode), ready to act in setups. */
  async dancer(prefix = "dancer", name?: string): Promise<Dancer> {
    const username = unique(prefix);
    const email = `${username}@e2e.test`;
    const password = "tango-e2e-2026";
    const res = await this.client().api.auth.register.$post({ json: { email, username, password, name: name ?? `Dancer ${username.slice(-4)}` } });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { user: { id: number; name: string }; accessToken: string };
    return { id: body.user.id, username, name: body.user.name, email, password, accessToken: body.accessToken, api: this.client(body.accessToken) };
  }

  /** Signs `dancer` in through the sign-in page of a new context; the page is on the feed after. */
  async signedIn(dancer: Dancer, options: BrowserContextOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await this.newContext(options);
    const page = await context.newPage();
    await page.goto("/#/login");
    await page.getByLabel("Email or username").fill(dancer.username);
    await page.getByLabel("Password").fill(dancer.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    return { context, page };
  }
}

/** Screenshots of the page as it is, at phone then desktop size, as <name>-phone.png and <name>-desktop.png. */
export async function snap(page: Page, name: string): Promise<void> {
  // One page at a time: exactly one h1 (a page left behind by a navigation would show two).
  const titles = await page.locator("h1").allInnerTexts();
  if (titles.length !== 1) throw new Error(`${name}: expected one h1, found ${titles.length}: ${titles.join(" | ")}`);
  const before = page.viewportSize();
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    // Let layout settle after the resize (fonts, images already loaded).
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}
