import { describe, expect, it } from "vitest";
import { wallClock } from "../../../test/zones";
import { canonicalTimeZone, isIanaTimeZone, occurrenceDates, occurrencesBetween, type SeriesRule, zonedInstant } from "./series.rule";

const thursdays: SeriesRule = {
  frequency: "weekly",
  interval: 1,
  weekday: 4,
  ordinal: null,
  startTime: "21:00",
  durationMinutes: 240,
  timezone: "Europe/Berlin",
  startsOn: "2026-03-01",
  until: null,
};

describe("series rule: dates", () => {
  it("makes every Thursday from the first on or after startsOn", () => {
    expect(occurrenceDates(thursdays, "2026-03-01", "2026-03-31")).toEqual(["2026-03-05", "2026-03-12", "2026-03-19", "2026-03-26"]);
  });

  it("keeps every other week anchored on the series' first date, whatever window is asked for", () => {
    const fortnightly = { ...thursdays, interval: 2 };
    expect(occurrenceDates(fortnightly, "2026-03-01", "2026-04-30")).toEqual(["2026-03-05", "2026-03-19", "2026-04-02", "2026-04-16", "2026-04-30"]);
    // A later window (the cron job's next step) lands on the same dates.
    expect(occurrenceDates(fortnightly, "2026-03-20", "2026-04-30")).toEqual(["2026-04-02", "2026-04-16", "2026-04-30"]);
    expect(occurrenceDates(fortnightly, "2026-04-03", "2026-04-15")).toEqual([]);
  });

  it("makes the first Saturday and the last Thursday of each month", () => {
    const firstSaturday: SeriesRule = { ...thursdays, frequency: "monthly", weekday: 6, ordinal: 1, startsOn: "2026-01-01" };
    expect(occurrenceDates(firstSaturday, "2026-01-01", "2026-06-30")).toEqual(["2026-01-03", "2026-02-07", "2026-03-07", "2026-04-04", "2026-05-02", "2026-06-06"]);
    const lastThursday: SeriesRule = { ...thursdays, frequency: "monthly", weekday: 4, ordinal: -1, startsOn: "2026-01-01" };
    expect(occurrenceDates(lastThursday, "2026-01-01", "2026-04-30")).toEqual(["2026-01-29", "2026-02-26", "2026-03-26", "2026-04-30"]);
    const thirdSundayQuarterly: SeriesRule = { ...thursdays, frequency: "monthly", weekday: 0, ordinal: 3, interval: 3, startsOn: "2026-02-20" };
    // February's third Sunday (the 15th) is before startsOn: the series starts with May's.
    expect(occurrenceDates(thirdSundayQuarterly, "2026-01-01", "2026-12-31")).toEqual(["2026-05-17", "2026-08-16", "2026-11-15"]);
  });

  it("stops at until (inclusive) and starts at startsOn", () => {
    expect(occurrenceDates({ ...thursdays, startsOn: "2026-03-12", until: "2026-03-26" }, "2026-01-01", "2026-12-31")).toEqual([
      "2026-03-12",
      "2026-03-19",
      "2026-03-26",
    ]);
  });
});

describe("series rule: local time in the series' zone", () => {
  it("keeps 21:00 in Berlin at 21:00 across the spring and autumn changes (UTC moves instead)", () => {
    const spring = occurrencesBetween(thursdays, "2026-03-19", "2026-04-02");
    expect(spring.map((o) => o.start.toISOString())).toEqual(["2026-03-19T20:00:00.000Z", "2026-03-26T20:00:00.000Z", "2026-04-02T19:00:00.000Z"]);
    const autumn = occurrencesBetween(thursdays, "2026-10-22", "2026-10-29");
    expect(autumn.map((o) => o.start.toISOString())).toEqual(["2026-10-22T19:00:00.000Z", "2026-10-29T20:00:00.000Z"]);
    for (const o of [...spring, ...autumn]) expect(wallClock(o.start, "Europe/Berlin")).toBe(`${o.on} 21:00`);
  });

  it("keeps 21:00 in New York and in Sao Paulo (when it still had DST) and 21:00 in Buenos Aires (no DST)", () => {
    const newYork = occurrencesBetween({ ...thursdays, timezone: "America/New_York", weekday: 5 }, "2026-03-01", "2026-03-14");
    expect(newYork.map((o) => o.start.toISOString())).toEqual(["2026-03-07T02:00:00.000Z", "2026-03-14T01:00:00.000Z"]);
    // Sao Paulo's summer time began on 2018-11-04, a Sunday at midnight: the Saturday before is still -03:00, the next -02:00.
    const saoPaulo = occurrencesBetween({ ...thursdays, timezone: "America/Sao_Paulo", weekday: 6, startsOn: "2018-10-01" }, "2018-10-27", "2018-11-10");
    expect(saoPaulo.map((o) => o.start.toISOString())).toEqual(["2018-10-28T00:00:00.000Z", "2018-11-04T00:00:00.000Z", "2018-11-10T23:00:00.000Z"]);
    const buenosAires = occurrencesBetween({ ...thursdays, timezone: "America/Argentina/Buenos_Aires" }, "2026-03-01", "2026-03-31");
    expect(buenosAires.map((o) => o.start.toISOString().slice(11, 16))).toEqual(["00:00", "00:00", "00:00", "00:00"]);
    for (const o of buenosAires) expect(wallClock(o.start, "America/Argentina/Buenos_Aires")).toBe(`${o.on} 21:00`);
  });

  it("ends each occurrence its duration after the start, in real time", () => {
    const [o] = occurrencesBetween({ ...thursdays, durationMinutes: 330 }, "2026-03-05", "2026-03-05");
    expect(o!.end.getTime() - o!.start.getTime()).toBe(330 * 60_000);
  });

  it("reads a time that occurs twice as the first, and one in the spring gap with the offset before it (RFC 5545 3.3.5)", () => {
    expect(zonedInstant("2007-11-04", "01:30", "America/New_York").toISOString()).toBe("2007-11-04T05:30:00.000Z");
    expect(zonedInstant("2007-03-11", "02:30", "America/New_York").toISOString()).toBe("2007-03-11T07:30:00.000Z");
    expect(zonedInstant("2026-10-25", "02:30", "Europe/Berlin").toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(zonedInstant("2026-03-29", "02:30", "Europe/Berlin").toISOString()).toBe("2026-03-29T01:30:00.000Z");
  });

  it("spells a zone as Intl does when only the case differs, and keeps aliases as given", () => {
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("America/Argentina/Buenos_Aires")).toBe("America/Argentina/Buenos_Aires");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
  });

  it("knows IANA zone names, not offsets or made-up names", () => {
    expect(["Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Asia/Kolkata"].map(isIanaTimeZone)).toEqual([true, true, true, true]);
    expect(["+03:00", "Mars/Olympus", "", "Europe/Berlin/", "../etc", "x".repeat(80)].map(isIanaTimeZone)).toEqual([false, false, false, false, false, false]);
  });
});
