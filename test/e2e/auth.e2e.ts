/** Sign up, sign in (with the TOTP step), the session surviving a reload, sign out. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type E2E, snap, unique } from "./harness";
import { totpAt } from "./totp";

export function authScenarios(e2e: E2E): void {
  describe("auth", () => {
    test("a newcomer signs up, lands on the feed, and stays signed in across a reload (refresh cookie)", async () => {
      const context = await e2e.newContext();
      const page = await context.newPage();
      const home = await page.goto("/");
      assert.match(home?.headers()["content-security-policy"] ?? "", /script-src 'self'/, "the app is served with its CSP");
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await snap(page, "sign-in");
      await page.getByRole("link", { name: "Create an account" }).click();
      await page.getByRole("heading", { name: "Create your account" }).waitFor();
      const username = unique("newcomer");
      await page.getByLabel("Your name").fill("Nina Newcomer");
      await page.getByLabel("Username").fill(username);
      await page.getByLabel("Email").fill(`${username}@e2e.test`);
      await page.getByLabel("Password").fill("tango-e2e-2026");
      await snap(page, "sign-up");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("navigation", { name: "Main" }).waitFor();

      // The refresh token is an httpOnly cookie scoped to /api/auth; no script can read it.
      const cookie = (await context.cookies()).find((c) => c.name === "mt_refresh");
      assert.ok(cookie, "the API set the refresh cookie");
      assert.equal(cookie.httpOnly, true);
      assert.equal(cookie.sameSite, "Strict");
      assert.equal(cookie.path, "/api/auth");
      assert.equal(await page.evaluate(() => document.cookie.includes("mt_refresh")), false);
      assert.equal(await page.evaluate(() => JSON.stringify(localStorage).includes("ey")), false, "no token in localStorage");

      await page.reload();
      await page.getByRole("navigation", { name: "Main" }).waitFor();

      // What the browser keeps for the dancer (a chat outbox, say) goes with the sign-out.
      await page.evaluate(() => localStorage.setItem("mt:chat-outbox:1:1", '[{"text":"private"}]'));
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      assert.equal(await page.evaluate(() => localStorage.getItem("mt:chat-outbox:1:1")), null);
      await page.reload();
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
    });

    test("several tabs of one browser restore the session at once without tripping the refresh token's reuse rule", async () => {
      const dancer = await e2e.dancer("tabs");
      const { context, page } = await e2e.signedIn(dancer);
      const tabs = [page, await context.newPage(), await context.newPage(), await context.newPage()];
      // Each tab renews from the one cookie at the same moment (a browser restoring its tabs).
      // Rotation spends each cookie once: without turns, the second renewal would reuse it and
      // end the session for every tab.
      for (let round = 0; round < 2; round++) {
        await Promise.all(tabs.map((tab) => tab.goto(`/?round=${round}#/notifications`)));
        // The page only a signed-in dancer sees, in every tab.
        await Promise.all(tabs.map((tab) => tab.getByRole("heading", { name: "Notifications" }).waitFor()));
      }
    });

    test("a wrong password shows the problem's detail; a taken username shows the field error", async () => {
      const dancer = await e2e.dancer("taken");
      const page = await (await e2e.newContext()).newPage();
      await page.goto("/#/login");
      await page.getByLabel("Email or username").fill(dancer.username);
      await page.getByLabel("Password").fill("not-the-password");
      await page.getByRole("button", { name: "Sign in" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor();
      assert.match(await alert.innerText(), /\S/);
      await snap(page, "sign-in-error");

      await page.getByRole("link", { name: "Create an account" }).click();
      await page.getByLabel("Your name").fill("Second");
      await page.getByLabel("Username").fill(dancer.username);
      await page.getByLabel("Email").fill(`${unique("other")}@e2e.test`);
      await page.getByLabel("Password").fill("tango-e2e-2026");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByRole("alert").waitFor();
      assert.equal(await page.getByRole("navigation", { name: "Main" }).count(), 0);
    });

    test("with two-factor authentication on, sign-in asks for the code, then lets the dancer in", async () => {
      const dancer = await e2e.dancer("totp");
      const setup = await dancer.api.api.auth["2fa"].setup.$post({ json: { password: dancer.password } });
      assert.equal(setup.status, 200);
      const { secret } = (await setup.json()) as { secret: string };
      const enable = await dancer.api.api.auth["2fa"].enable.$post({ json: { password: dancer.password, code: await totpAt(secret) } });
      assert.equal(enable.status, 200);

      const page = await (await e2e.newContext()).newPage();
      await page.goto("/#/login");
      await page.getByLabel("Email or username").fill(dancer.username);
      await page.getByLabel("Password").fill(dancer.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByLabel("Authentication code").waitFor();
      await snap(page, "sign-in-totp");
      // A code from another step is refused with the problem's detail, then the right one passes.
      await page.getByLabel("Authentication code").fill("000000");
      await page.getByRole("button", { name: "Verify and sign in" }).click();
      await page.getByRole("alert").waitFor();
      // The next step's code: the step enable used is spent.
      await page.getByLabel("Authentication code").fill(await totpAt(secret, 1));
      await page.getByRole("button", { name: "Verify and sign in" }).click();
      await page.getByRole("navigation", { name: "Main" }).waitFor();
    });
  });
}
