/**
 * The benchmark report: named figures (with the issue's targets), tables, notes and plots, per
 * section, written as `report.json` and `report.md` (with SVG plots beside it) under
 * `bench/results/<full|quick>/`. The Markdown opens with the machine, the databases and the
 * versions, then a summary table of every figure that has a target.
 *
 * @example
 * const s = report.section("Home feed");
 * s.figure("feed.heavy.page1.p99", 4.2, "ms", { target: { op: "<=", value: 15 } });
 * s.table(["class", "p50"], [["light", "1.20"]]);
 * s.plot({ name: "growth-feed", title: "Feed p50", x: "dancers", y: "ms", logX: true, series: [...] });
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, release, totalmem } from "node:os";
import { join } from "node:path";

export interface Target {
  op: "<=" | ">=";
  value: number;
}

export interface Figure {
  section: string;
  name: string;
  value: number;
  unit: string;
  target?: Target;
  /** Whether the value meets the target (absent without one). */
  met?: boolean;
  note?: string;
}

export interface Series {
  name: string;
  points: [number, number][];
}

export interface Plot {
  /** File name without extension: `<name>.svg`. */
  name: string;
  title: string;
  x: string;
  y: string;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
}

type Block = { kind: "text"; markdown: string } | { kind: "table"; headers: string[]; rows: string[][] } | { kind: "plot"; plot: Plot };

export class Section {
  readonly blocks: Block[] = [];
  constructor(
    readonly title: string,
    private readonly figures: Figure[],
  ) {}

  /** Records a figure (and prints it). A target is the issue's: the summary shows whether it is met. */
  figure(name: string, value: number, unit: string, options: { target?: Target; note?: string } = {}): Figure {
    const figure: Figure = { section: this.title, name, value, unit, ...options };
    if (options.target) figure.met = options.target.op === "<=" ? value <= options.target.value : value >= options.target.value;
    this.figures.push(figure);
    const mark = figure.met === undefined ? "" : figure.met ? "  [target met]" : `  [TARGET MISSED: ${options.target!.op} ${options.target!.value}]`;
    console.log(`  ${name} = ${formatNumber(value)} ${unit}${mark}`);
    return figure;
  }

  text(markdown: string): void {
    this.blocks.push({ kind: "text", markdown });
  }

  table(headers: string[], rows: (string | number)[][]): void {
    const cells = rows.map((row) => row.map((cell) => (typeof cell === "number" ? formatNumber(cell) : cell)));
    this.blocks.push({ kind: "table", headers, rows: cells });
    console.log(renderTable(headers, cells).replace(/^/gm, "  "));
  }

  plot(plot: Plot): void {
    this.blocks.push({ kind: "plot", plot });
  }
}

export interface ReportHeader {
  mode: "full" | "quick" | "partial";
  /** The command line's arguments after `npm run bench --`. */
  args?: string[];
  /** The scales (dancers) the run generated. */
  scales: number[];
  /** What each database was, e.g. `PostgreSQL 15.18 (127.0.0.1)`, `PGlite 0.5 (Postgres 18.0, WASM)`. */
  databases: string[];
}

export class Report {
  readonly figures: Figure[] = [];
  readonly sections: Section[] = [];
  /** Growth series (feed p50, suggestions p50, cron time...) by scale, plotted by `bench/run.ts` at the end. */
  readonly growth = new Map<string, { unit: string; points: [number, number][] }>();
  private readonly started = new Date();

  constructor(readonly header: ReportHeader) {}

  section(title: string): Section {
    const existing = this.sections.find((s) => s.title === title);
    if (existing) return existing;
    console.log(`\n## ${title}`);
    const section = new Section(title, this.figures);
    this.sections.push(section);
    return section;
  }

  /** One point of a growth series: `value` (in `unit`) at `scale` dancers. */
  grow(series: string, scale: number, value: number, unit: string): void {
    const entry = this.growth.get(series) ?? { unit, points: [] };
    entry.points.push([scale, value]);
    this.growth.set(series, entry);
  }

  addDatabase(description: string): void {
    if (!this.header.databases.includes(description)) this.header.databases.push(description);
  }

  /** Writes report.json, report.md and the plots into `dir` (emptied first); returns the Markdown's path. */
  write(dir: string): string {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const environment = describeEnvironment();
    const finished = new Date();
    const json = {
      ...this.header,
      started: this.started.toISOString(),
      seconds: Math.round((finished.getTime() - this.started.getTime()) / 1000),
      environment,
      figures: this.figures,
      sections: this.sections.map((s) => ({ title: s.title, blocks: s.blocks })),
    };
    writeFileSync(join(dir, "report.json"), `${JSON.stringify(json, null, 2)}\n`);

    const md: string[] = [
      `# Benchmark report (${this.header.mode})`,
      "",
      `Run ${this.started.toISOString()}, ${json.seconds} s, scales ${this.header.scales.map(formatScale).join(", ")}. ` +
        `Produced by \`npm run bench${this.header.args?.length ? ` -- ${this.header.args.join(" ")}` : ""}\`; figures in \`report.json\`.`,
      "",
      "| | |",
      "| --- | --- |",
      ...Object.entries({ ...environment.machine, ...{ databases: this.header.databases.join("; ") } }).map(([k, v]) => `| ${k} | ${v} |`),
      `| versions | ${Object.entries(environment.versions).map(([k, v]) => `${k} ${v}`).join(", ")} |`,
      "",
      "## Summary: the issue's targets",
      "",
    ];
    const targeted = this.figures.filter((f) => f.target);
    md.push(
      targeted.length
        ? renderTable(
            ["figure", "value", "target", "met"],
            targeted.map((f) => [
              `${f.section}: ${f.name}`,
              `${formatNumber(f.value)} ${f.unit}`,
              `${f.target!.op} ${formatNumber(f.target!.value)} ${f.unit}`,
              f.met ? "yes" : `**no**${f.note ? ` (${f.note})` : ""}`,
            ]),
          )
        : "(no figure with a target in this run)",
    );
    for (const section of this.sections) {
      md.push("", `## ${section.title}`, "");
      for (const block of section.blocks) {
        if (block.kind === "text") md.push(block.markdown, "");
        else if (block.kind === "table") md.push(renderTable(block.headers, block.rows), "");
        else {
          writeFileSync(join(dir, `${block.plot.name}.svg`), renderSvg(block.plot));
          md.push(`![${block.plot.title}](${block.plot.name}.svg)`, "");
        }
      }
      const own = this.figures.filter((f) => f.section === section.title);
      if (own.length) {
        md.push(
          "<details><summary>Figures</summary>",
          "",
          renderTable(
            ["name", "value", "unit"],
            own.map((f) => [f.name, formatNumber(f.value), f.unit]),
          ),
          "",
          "</details>",
          "",
        );
      }
    }
    const path = join(dir, "report.md");
    writeFileSync(path, `${md.join("\n").trimEnd()}\n`);
    return path;
  }
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatScale(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1000 ? `${n / 1000}k` : String(n);
}

export function renderTable(headers: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [`| ${headers.map(escape).join(" | ")} |`, `| ${headers.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(escape).join(" | ")} |`)].join(
    "\n",
  );
}

function describeEnvironment(): { machine: Record<string, string>; versions: Record<string, string> } {
  const cpu = cpus();
  const git = (args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8" }).trim();
    } catch {
      return "unknown";
    }
  };
  const versions: Record<string, string> = { node: process.versions.node };
  for (const name of ["wrangler", "miniflare", "drizzle-orm", "@neondatabase/serverless", "hono", "@electric-sql/pglite", "autocannon"]) {
    try {
      versions[name] = (JSON.parse(readFileSync(join("node_modules", name, "package.json"), "utf8")) as { version: string }).version;
    } catch {
      // not installed: left out
    }
  }
  return {
    machine: {
      cpu: `${cpu.length} x ${cpu[0]?.model ?? "unknown"}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
      os: `${platform()} ${release()} ${arch()}`,
      commit: `${git(["rev-parse", "--short", "HEAD"])}${git(["status", "--porcelain", "--untracked-files=no"]) ? " (with local changes)" : ""}`,
    },
    versions,
  };
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"];

/** A line plot with points, axes and a legend, as a standalone SVG (no dependency). */
export function renderSvg(plot: Plot): string {
  const width = 680;
  const height = 400;
  const m = { left: 70, right: 200, top: 40, bottom: 50 };
  const points = plot.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const tx = (v: number) => (plot.logX ? Math.log10(Math.max(v, 1e-9)) : v);
  const ty = (v: number) => (plot.logY ? Math.log10(Math.max(v, 1e-9)) : v);
  const xs = points.map(([x]) => tx(x));
  const ys = points.map(([, y]) => ty(y));
  let [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  let [y0, y1] = [plot.logY ? Math.min(...ys) : Math.min(0, ...ys), Math.max(...ys)];
  if (!points.length) [x0, x1, y0, y1] = [0, 1, 0, 1];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  if (y0 === y1) y1 = y0 + 1;
  y1 += (y1 - y0) * 0.05;
  const px = (v: number) => m.left + ((tx(v) - x0) / (x1 - x0)) * (width - m.left - m.right);
  const py = (v: number) => height - m.bottom - ((ty(v) - y0) / (y1 - y0)) * (height - m.top - m.bottom);
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const ticks = (lo: number, hi: number, log?: boolean): number[] => {
    if (log) {
      const out: number[] = [];
      for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) out.push(10 ** e);
      return out.filter((t) => Math.log10(t) >= lo - 1e-9 && Math.log10(t) <= hi + 1e-9);
    }
    const step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
    const nice = [1, 2, 5, 10].map((k) => k * step).find((s) => (hi - lo) / s <= 6) ?? step * 10;
    const out: number[] = [];
    for (let t = Math.ceil(lo / nice) * nice; t <= hi + 1e-9; t += nice) out.push(t);
    return out;
  };
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(plot.title)}</text>`,
  ];
  for (const t of ticks(x0, x1, plot.logX)) {
    out.push(
      `<line x1="${px(t)}" y1="${m.top}" x2="${px(t)}" y2="${height - m.bottom}" stroke="#eee"/>`,
      `<text x="${px(t)}" y="${height - m.bottom + 16}" text-anchor="middle">${esc(formatScale(t))}</text>`,
    );
  }
  for (const t of ticks(y0, y1, plot.logY)) {
    out.push(
      `<line x1="${m.left}" y1="${py(t)}" x2="${width - m.right}" y2="${py(t)}" stroke="#eee"/>`,
      `<text x="${m.left - 6}" y="${py(t) + 4}" text-anchor="end">${esc(formatNumber(t))}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" y1="${height - m.bottom}" x2="${width - m.right}" y2="${height - m.bottom}" stroke="black"/>`,
    `<line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${height - m.bottom}" stroke="black"/>`,
    `<text x="${(m.left + width - m.right) / 2}" y="${height - 12}" text-anchor="middle">${esc(plot.x)}${plot.logX ? " (log)" : ""}</text>`,
    `<text transform="translate(16 ${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(plot.y)}${plot.logY ? " (log)" : ""}</text>`,
  );
  plot.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length]!;
    const valid = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]);
    if (valid.length > 1) out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${valid.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
    for (const [x, y] of valid) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${series.name}: ${formatNumber(y)} at ${formatScale(x)}`)}</title></circle>`);
    const ly = m.top + 10 + i * 18;
    out.push(
      `<line x1="${width - m.right + 12}" y1="${ly}" x2="${width - m.right + 30}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${width - m.right + 36}" y="${ly + 4}">${esc(series.name)}</text>`,
    );
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
