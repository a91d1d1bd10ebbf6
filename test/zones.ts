/**
 * An instant's wall clock in an IANA zone, `YYYY-MM-DD HH:MM`, read with Intl: how tests check
 * local times independently of the code that computed them.
 *
 * @example
 * wallClock(new Date("2026-03-29T19:00:00Z"), "Europe/Berlin"); // "2026-03-29 21:00"
 */
export function wallClock(instant: Date | string, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The UTC date `days` from an instant, `YYYY-MM-DD`. */
export function utcDay(instant: Date, days = 0): string {
  return new Date(instant.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}
