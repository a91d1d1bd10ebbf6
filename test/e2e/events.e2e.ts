/**
 * The events pages in the browser: a full milonga's waitlist positions as two dancers see
 * them, events near the browser's position, and the profile's city when the location is refused.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { type Dancer, type E2E, snap, unique } from "./harness";

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

interface NewEvent {
  title: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  maxAttendees?: number;
}

/** An event `organizer` publishes through the API, a week from now unless said otherwise. */
async function createEvent(organizer: Dancer, input: NewEvent): Promise<number> {
  const res = await organizer.api.api.events.$post({
    header: {},
    json: {
      eventType: "milonga",
      startDate: inDays(7),
      timezone: "America/Argentina/Buenos_Aires",
      location: "Salón de prueba, Calle 123",
      country: "Argentina",
      description: "Tandas of Di Sarli and D'Arienzo.\nCortinas short.",
      ...input,
    },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

async function openEventsPage(page: Page): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
  await page.getByRole("heading", { name: "Events near me", level: 1 }).waitFor();
}

/** Answers "going" with a role on the event page open in `page`. */
async function goAs(page: Page, role: "leader" | "follower"): Promise<void> {
  await page.getByLabel("Going", { exact: true }).check();
  await page.getByLabel("Your role").selectOption(role);
  await page.getByRole("button", { name: "Save my answer" }).click();
}

const rsvpState = (page: Page, text: string) => page.getByTestId("rsvp-state").filter({ hasText: text }).waitFor();

export function eventsScenarios(e2e: E2E): void {
  describe("events", () => {
    test("RSVP to a full milonga shows the waitlist position, and cancelling moves the line up", async () => {
      const [organizer, goer, first, second] = await Promise.all([e2e.dancer("organizer"), e2e.dancer("goer"), e2e.dancer("first"), e2e.dancer("second")]);
      const city = unique("Llena");
      const title = `Milonga llena ${city}`;
      const id = await createEvent(organizer, { title, city, maxAttendees: 1 });
      const taken = await goer.api.api.events[":id"].rsvp.$post({ param: { id: String(id) }, json: { status: "going", role: "follower" } });
      assert.equal(taken.status, 200);
      assert.equal((await taken.json()).waitlisted, false);

      // The first dancer finds it by its city (no location in this browser) and opens it from the list.
      const { page } = await e2e.signedIn(first);
      await openEventsPage(page);
      await page.getByLabel("City").fill(city);
      await page.getByRole("button", { name: "Search" }).click();
      await page.getByRole("heading", { name: `Events in ${city}` }).waitFor();
      const card = page.getByTestId("event-card").filter({ hasText: title });
      await card.waitFor();
      assert.match(await card.innerText(), /1 going of 1/);
      assert.match(await card.innerText(), /Buenos Aires time/);
      await snap(page, "events-list");
      await card.getByRole("link", { name: title }).click();
      await page.getByRole("heading", { name: title, level: 1 }).waitFor();
      await rsvpState(page, "You have not answered yet.");

      await goAs(page, "leader");
      await rsvpState(page, "You are on the waitlist, position 1 as a leader.");
      await page.getByTestId("event-going").filter({ hasText: "1 on the waitlist" }).waitFor();
      await snap(page, "event-waitlisted");

      // A second dancer in another browser is next in line.
      const other = await e2e.signedIn(second);
      await other.page.evaluate((to) => (location.hash = to), `#/events/${id}`);
      await other.page.getByRole("heading", { name: title, level: 1 }).waitFor();
      await goAs(other.page, "follower");
      await rsvpState(other.page, "You are on the waitlist, position 2 as a follower.");

      // The first takes their answer back: the page re-reads the event.
      await page.getByRole("button", { name: "Cancel my RSVP" }).click();
      await rsvpState(page, "You have not answered yet.");
      await page.getByTestId("event-going").filter({ hasText: "1 going of 1 · 1 on the waitlist" }).waitFor();
      assert.equal(await page.getByRole("button", { name: "Cancel my RSVP" }).count(), 0);

      // The second, coming back to the page, reads position 1 from the event as it is now.
      await other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Events" }).click();
      await other.page.getByRole("heading", { name: "Events near me", level: 1 }).waitFor();
      await other.page.evaluate((to) => (location.hash = to), `#/events/${id}`);
      await rsvpState(other.page, "You are on the waitlist, position 1 as a follower.");
    });

    test("events near me: the browser's position finds the event nearby, not the far one; going; the calendar file", async () => {
      const [organizer, dancer] = await Promise.all([e2e.dancer("organizer"), e2e.dancer("nearby")]);
      // Córdoba, with an event 2 km away and one in Rosario, 400 km away.
      const here = { latitude: -31.4201, longitude: -64.1888 };
      const tag = unique("n");
      const near = `Práctica cerca ${tag}`;
      const far = `Milonga lejos ${tag}`;
      const nearId = await createEvent(organizer, { title: near, city: "Córdoba", latitude: -31.4021, longitude: -64.1888 });
      await createEvent(organizer, { title: far, city: "Rosario", latitude: -32.9468, longitude: -60.6393 });

      const { page } = await e2e.signedIn(dancer, { geolocation: here, permissions: ["geolocation"] });
      await openEventsPage(page);
      await page.getByRole("heading", { name: "Events within 25 km of you" }).waitFor();
      const card = page.getByTestId("event-card").filter({ hasText: near });
      await card.waitFor();
      assert.match(await card.innerText(), /2\.0 km away/);
      assert.equal(await page.getByTestId("event-card").filter({ hasText: far }).count(), 0);

      // The radius selector searches again: 250 km still leaves Rosario (400 km) out.
      await page.getByLabel("Within").selectOption("250");
      await page.getByRole("heading", { name: "Events within 250 km of you" }).waitFor();
      await page.getByTestId("event-card").filter({ hasText: near }).waitFor();
      assert.equal(await page.getByTestId("event-card").filter({ hasText: far }).count(), 0);
      await page.getByLabel("Within").selectOption("25");
      await card.waitFor();

      await card.getByRole("link", { name: near }).click();
      await page.getByRole("heading", { name: near, level: 1 }).waitFor();
      await goAs(page, "follower");
      await rsvpState(page, "You are going as a follower.");
      await page.getByRole("list").getByRole("link", { name: new RegExp(dancer.name) }).waitFor();
      await snap(page, "event-going");

      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Add to calendar (.ics)" }).click()]);
      assert.equal(download.suggestedFilename(), `event-${nearId}.ics`);

      // An event nobody may see is the API's 404, said plainly.
      await page.evaluate(() => (location.hash = "#/events/2147480000"));
      await page.getByRole("heading", { name: "Event not found", level: 1 }).waitFor();
      assert.match(await page.getByRole("alert").innerText(), /\S/);
    });

    test("with the location refused, events near me uses the profile's city and says so", async () => {
      const [organizer, dancer] = await Promise.all([e2e.dancer("organizer"), e2e.dancer("homebody")]);
      const city = unique("Ciudad");
      const title = `Milonga en casa ${city}`;
      await createEvent(organizer, { title, city });
      const profile = await dancer.api.api.users.me.$patch({ json: { city } });
      assert.equal(profile.status, 200);

      // No geolocation permission in this context: the browser refuses the page's request.
      const { page } = await e2e.signedIn(dancer);
      await openEventsPage(page);
      const notice = page.getByTestId("location-fallback");
      await notice.waitFor();
      assert.match(await notice.innerText(), new RegExp(`Showing events in ${city}, the city on your profile`));
      await page.getByRole("heading", { name: `Events in ${city}` }).waitFor();
      await page.getByTestId("event-card").filter({ hasText: title }).waitFor();
      assert.equal(await page.getByLabel("City").inputValue(), city);
      await snap(page, "events-fallback");
    });
  });
}
