import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { formatNumber, renderSvg, Report } from "./report";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  dirs.push(dir);
  return dir;
}

describe("bench report", () => {
  test("a figure meets or misses its target by its operator", () => {
    const report = new Report({ mode: "quick", scales: [1000], databases: [] });
    const s = report.section("Feed");
    expect(s.figure("feed.p99", 15, "ms", { target: { op: "<=", value: 15 } }).met).toBe(true);
    expect(s.figure("feed.p99.heavy", 15.01, "ms", { target: { op: "<=", value: 15 } }).met).toBe(false);
    expect(s.figure("chat.ingest", 999, "msg/s", { target: { op: ">=", value: 1000 } }).met).toBe(false);
    expect(s.figure("rows", 12, "rows").met).toBeUndefined();
    // The same title gives the same section.
    expect(report.section("Feed")).toBe(s);
  });

  test("the Markdown opens with the machine and versions, then a summary of every targeted figure, and writes the plots", () => {
    const report = new Report({ mode: "full", scales: [1000, 10000], databases: [] });
    report.addDatabase("PostgreSQL 15.18");
    const s = report.section("Chat");
    s.figure("chat.ingest", 1500, "msg/s", { target: { op: ">=", value: 1000 } });
    s.figure("chat.fanout.p99", 80, "ms", { target: { op: "<=", value: 50 }, note: "one core" });
    s.table(["room", "msg/s"], [["one | big", 1500]]);
    s.plot({ name: "growth-ms", title: "Growth", x: "dancers", y: "ms", logX: true, series: [{ name: "feed", points: [[1000, 1], [10000, 2]] }] });
    const dir = tempDir();
    const md = readFileSync(report.write(dir), "utf8");
    expect(md).toMatch(/^# Benchmark report \(full\)/);
    expect(md).toContain("| databases | PostgreSQL 15.18 |");
    expect(md).toMatch(/\| versions \| node \d+/);
    const summary = md.slice(md.indexOf("## Summary"), md.indexOf("## Chat"));
    expect(summary).toContain("| Chat: chat.ingest | 1,500 msg/s | >= 1,000 msg/s | yes |");
    expect(summary).toContain("| Chat: chat.fanout.p99 | 80.0 ms | <= 50.0 ms | **no** (one core) |");
    expect(md).toContain("| one \\| big | 1,500 |");
    expect(md).toContain("![Growth](growth-ms.svg)");
    expect(readdirSync(dir).sort()).toEqual(["growth-ms.svg", "report.json", "report.md"]);
    const json = JSON.parse(readFileSync(join(dir, "report.json"), "utf8"));
    expect(json.figures).toHaveLength(2);
    expect(json.figures[1]).toMatchObject({ name: "chat.fanout.p99", met: false });
  });

  test("a plot is a standalone SVG with one line and one point per value, escaped labels, finite coordinates", () => {
    const svg = renderSvg({
      name: "p",
      title: "A <b> & c",
      x: "dancers",
      y: "ms",
      logX: true,
      series: [
        { name: "light", points: [[1000, 1.5], [100000, 3], [10000, 2]] },
        { name: "heavy", points: [[1000, Number.NaN]] },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("A &lt;b&gt; &amp; c");
    expect(svg.match(/<polyline/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).not.toMatch(/NaN|Infinity/);
    // Points are drawn left to right by x, whatever order they came in.
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  test("numbers are rounded for reading", () => {
    expect(formatNumber(1234567)).toBe("1,234,567");
    expect(formatNumber(123.4)).toBe("123");
    expect(formatNumber(12.34)).toBe("12.3");
    expect(formatNumber(1.234)).toBe("1.23");
  });
});
