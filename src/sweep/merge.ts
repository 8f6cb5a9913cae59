// `augsal merge DIR`: a sweep folder's completeness check and its results. Every job of the plan must be
// finished (else: which jobs, their grid points and shards, and the command that reruns only those) and
// made by the same augsal version, core and data (else: which job folders differ). Then the analysis
// the shards cannot do alone (a metric needs the augmented model and its seed's Orig): per grid point
// and method the map metrics against Orig of the same seed (mean over the query images), test accuracy,
// the controls and floors of each seed; dose-response per augmentation and dataset (mean and t-interval
// over seeds, the floor as a band), monotonicity in strength, the accuracy-vs-saliency correlation over
// the whole grid, agreement between methods. Everything merge writes depends only on the job files and
// the plan: the same bytes however the jobs were run (one process, shards in any order, a Slurm array).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { nameWord, withCoreRng } from "../core/rng.js";
import { compareMaps, entropies } from "../explain/metrics.js";
import { loadCore } from "../node/wasm.js";
import { writeAtomic } from "../node/atomic.js";
import { toJson } from "../node/files.js";
import { bootstrapUnits, mean, pairedT, sd, spearman, spearmanTest, toCsv, toTidyJson } from "../stats/index.js";
import { UsageError } from "../study/config.js";
import type { Grid } from "./grid.js";
import {
  GRID_FILE,
  PLAN_FILE,
  SWEEP_FILE,
  canonicalJson,
  readShardRecord,
  rerunCommands,
  assignShards,
  type MissingJob,
  type Plan,
  type PlannedJob,
} from "./plan.js";
import type { SweepRecord } from "./run.js";
import { DONE_FILE, JOBS_DIR, JobReader, isDone, readFailure, type JobRecord } from "./store.js";
import type { AgreeRow, ControlRow, CorrRow, DoseRow, MonoRow, PointRow } from "./rows.js";
import { sweepPage, doseResponseSpec, scatterSpec } from "./page.js";
import { chartSvg } from "../report/charts/render.js";

export const MERGED_DIR = "merged";
/** Map metrics against Orig (MIT saliency benchmark definitions, src/explain/metrics.ts), the map's own
 *  entropies, and the model's test accuracy. */
export const SWEEP_METRICS = ["cc", "kl", "sim", "spearman", "entropySpatial", "entropyHist", "testAcc"] as const;
const MAP_METRICS = SWEEP_METRICS.filter((m) => m !== "testAcc");

export type { AgreeRow, ControlRow, CorrRow, DoseRow, MonoRow, PointRow } from "./rows.js";

const POINT_COLS = ["dataset", "aug", "strength", "seed", "method", "metric", "value"] as const;
const CONTROL_COLS = ["dataset", "seed", "model", "method", "metric", "value"] as const;
const DOSE_COLS = [
  "dataset",
  "aug",
  "strength",
  "method",
  "metric",
  "n",
  "mean",
  "sd",
  "lo",
  "hi",
  "origMean",
  "floor",
  "floorMean",
  "floorLo",
  "floorHi",
] as const;
const MONO_COLS = ["dataset", "aug", "method", "metric", "n", "rho", "p", "means"] as const;
const CORR_COLS = ["dataset", "method", "metric", "n", "rho", "p", "lo", "hi"] as const;
const AGREE_COLS = ["dataset", "metric", "methodA", "methodB", "n", "rho", "p"] as const;

export interface MergeOutcome {
  /** 0: complete and merged; 1: jobs missing or failed (nothing merged). */
  code: 0 | 1;
  text: string;
  missing: MissingJob[];
}

function readJsonFile<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch (e) {
    throw new UsageError(`${path}: ${(e as Error).message}`);
  }
}

/** The sweep's records; a folder that is not a sweep is a usage error. */
function openSweep(dir: string): { rec: SweepRecord; plan: Plan; grid: Grid } {
  if (!existsSync(join(dir, SWEEP_FILE)))
    throw new UsageError(
      `${dir}: no ${SWEEP_FILE} there (not a sweep folder): run 'node dist/cli.js sweep GRID --out ${dir}' first`,
    );
  const rec = readJsonFile<SweepRecord>(join(dir, SWEEP_FILE));
  const plan = readJsonFile<Plan>(join(dir, PLAN_FILE));
  const grid = readJsonFile<Grid>(join(dir, GRID_FILE));
  if (canonicalJson(grid) !== canonicalJson(rec.grid))
    throw new UsageError(`${join(dir, GRID_FILE)} is not the grid ${SWEEP_FILE} records: restore it`);
  return { rec, plan, grid };
}

/** Job folders made by another augsal version, core or data than the sweep's: refused by name. */
function checkMix(dir: string, rec: SweepRecord): void {
  const jobsDir = join(dir, JOBS_DIR);
  if (!existsSync(jobsDir)) return;
  const bad: string[] = [];
  for (const name of readdirSync(jobsDir).sort()) {
    if (name.startsWith(".") || !existsSync(join(jobsDir, name, DONE_FILE))) continue;
    let r: JobRecord;
    try {
      r = JSON.parse(readFileSync(join(jobsDir, name, "job.json"), "utf8")) as JobRecord;
    } catch (e) {
      bad.push(`${join(JOBS_DIR, name)} (job.json unreadable: ${(e as Error).message})`);
      continue;
    }
    const why: string[] = [];
    if (r.augsal !== rec.augsal) why.push(`augsal ${r.augsal}, the sweep's is ${rec.augsal}`);
    if (r.wasmSha256 !== rec.wasmSha256)
      why.push(`core ${String(r.wasmSha256).slice(0, 12)}…, the sweep's is ${rec.wasmSha256.slice(0, 12)}…`);
    const ds = (r.key as { data?: unknown })?.data;
    if (!Object.values(rec.datasets).some((d) => canonicalJson(d) === canonicalJson(ds)))
      why.push("data of another fingerprint than the sweep's datasets");
    if (why.length) bad.push(`${join(JOBS_DIR, name)} (${r.name}: ${why.join("; ")})`);
  }
  if (bad.length)
    throw new UsageError(
      `${dir} mixes results of different code or data; merge refuses them: ${bad.join(", ")}. ` +
        `Move those folders out (or rerun the sweep with the build and data that made the others)`,
    );
}

/** Missing or failed jobs with their shard and grid points. */
export function missingJobs(dir: string, plan: Plan): MissingJob[] {
  const record = readShardRecord(dir);
  const assign = record ? assignShards(plan.jobs, record.n) : undefined;
  const out: MissingJob[] = [];
  for (const j of plan.jobs) {
    if (isDone(dir, j.hash)) continue;
    const f = readFailure(dir, j.hash);
    const points = plan.points
      .filter((p) => Object.values(p.jobs).includes(j.hash))
      .map((p) => `${p.dataset}/${p.aug}=${p.strength}/seed${p.seed}`);
    out.push({
      hash: j.hash,
      name: j.name,
      status: f ? "failed" : "missing",
      error: f?.error,
      shard: assign ? assign.get(j.hash)! : null,
      points,
    });
  }
  return out;
}

function incompleteText(dir: string, plan: Plan, missing: MissingJob[]): string {
  const record = readShardRecord(dir);
  const lines = [`${dir}: ${missing.length} of ${plan.jobs.length} jobs are not finished:`];
  for (const m of missing) {
    const pts =
      m.points.length > 3 ? `${m.points.slice(0, 3).join(", ")} and ${m.points.length - 3} more` : m.points.join(", ");
    lines.push(
      `  ${m.status} ${m.name} (job ${m.hash.slice(0, 12)}${m.shard !== null ? `, shard ${m.shard}/${record!.n}` : ""}; ` +
        `grid points ${pts})${m.error ? `: ${m.error}` : ""}`,
    );
  }
  lines.push("rerun only those with:");
  for (const c of rerunCommands(dir, missing, record)) lines.push(`  ${c}`);
  lines.push(`then: node dist/cli.js merge ${dir}`);
  return lines.join("\n") + "\n";
}

/** Mean of the finite values (a map metric is NaN for a constant map). */
function meanDefined(v: number[]): number {
  const ok = v.filter((x) => Number.isFinite(x));
  return ok.length ? mean(ok) : NaN;
}

/** Per job and method, the metrics of its maps against a baseline job's (mean over queries). */
class MetricCache {
  private readonly maps = new Map<string, Float32Array>();
  private readonly values = new Map<string, Record<string, number>>();
  private readonly readers = new Map<string, JobReader>();
  constructor(
    readonly core: Core,
    readonly dir: string,
    readonly queries: number,
  ) {}
  reader(hash: string): JobReader {
    if (!this.readers.has(hash)) this.readers.set(hash, new JobReader(this.dir, hash));
    return this.readers.get(hash)!;
  }
  private map(hash: string, method: string): Float32Array {
    const k = `${hash}|${method}`;
    if (!this.maps.has(k)) this.maps.set(k, this.reader(hash).map(method));
    return this.maps.get(k)!;
  }
  testAcc(hash: string): number {
    return this.reader(hash).history().test;
  }
  /** cc, kl, sim, spearman of `hash`'s maps against `orig`'s, its entropies, its test accuracy. */
  metrics(hash: string, orig: string, method: string): Record<string, number> {
    const k = `${hash}|${orig}|${method}`;
    if (this.values.has(k)) return this.values.get(k)!;
    const a = this.map(hash, method);
    const b = this.map(orig, method);
    const size = a.length / this.queries;
    const per: Record<string, number[]> = Object.fromEntries(MAP_METRICS.map((m) => [m, []]));
    for (let i = 0; i < this.queries; i++) {
      const ai = a.subarray(i * size, (i + 1) * size);
      const c = compareMaps(this.core, ai, b.subarray(i * size, (i + 1) * size));
      const e = entropies(this.core, ai);
      const v: Record<string, number> = { ...c, ...e };
      for (const m of MAP_METRICS) per[m].push(v[m]);
    }
    const out: Record<string, number> = {};
    for (const m of MAP_METRICS) out[m] = meanDefined(per[m]);
    out.testAcc = this.testAcc(hash);
    this.values.set(k, out);
    return out;
  }
}

function trend(means: number[]): string {
  if (means.length < 2 || means.some((m) => !Number.isFinite(m))) return "neither";
  let dec = true;
  let inc = true;
  for (let i = 1; i < means.length; i++) {
    if (!(means[i] < means[i - 1])) dec = false;
    if (!(means[i] > means[i - 1])) inc = false;
  }
  return dec ? "decreasing" : inc ? "increasing" : "neither";
}

function tInterval(v: number[]): { n: number; mean: number; sd: number; lo: number; hi: number } {
  const ok = v.filter((x) => Number.isFinite(x));
  const t = pairedT(ok);
  return { n: ok.length, mean: t.mean, sd: ok.length > 1 ? sd(ok) : NaN, lo: t.interval.lo, hi: t.interval.hi };
}

const fmt = (x: number | null, d = 3) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));

/** Merge a sweep folder: check it, then write the results under DIR/merged/. */
export function mergeSweep(dirGiven: string): MergeOutcome {
  const dir = resolve(dirGiven);
  const { rec, plan, grid } = openSweep(dir);
  checkMix(dir, rec);
  const missing = missingJobs(dir, plan);
  if (missing.length) return { code: 1, text: incompleteText(dir, plan, missing), missing };

  const core = loadCore();
  const study = grid.study as Record<string, unknown>;
  const queriesPerClass = Number(study.queries ?? 1);
  // the query count of the first job (every job of a dataset has the same queries)
  const qOf = new Map<string, number>();
  const cacheOf = new Map<string, MetricCache>();
  const cache = (dataset: string) => {
    if (!cacheOf.has(dataset)) {
      const first = plan.jobs.find((j) => j.dataset === dataset)!;
      const q = new JobReader(dir, first.hash).predictions().length;
      qOf.set(dataset, q);
      cacheOf.set(dataset, new MetricCache(core, dir, q));
    }
    return cacheOf.get(dataset)!;
  };
  void queriesPerClass;
  const floorModel = study["no-noise-floor"] ? null : study.init === "independent" ? "retrain" : "reorder";
  const methods = grid.methods;
  const byHash = new Map<string, PlannedJob>(plan.jobs.map((j) => [j.hash, j]));

  // grid points × method × metric
  const points: PointRow[] = [];
  for (const p of plan.points) {
    const c = cache(p.dataset);
    for (const method of methods) {
      const v = c.metrics(p.jobs[p.aug], p.jobs.orig, method);
      for (const metric of SWEEP_METRICS)
        points.push({
          dataset: p.dataset,
          aug: p.aug,
          strength: p.strength,
          seed: p.seed,
          method,
          metric,
          value: v[metric],
        });
    }
  }
  // the controls of each seed: Orig (against itself), Repeat, the floors
  const controls: ControlRow[] = [];
  const seen = new Set<string>();
  for (const p of plan.points) {
    const k = `${p.dataset}|${p.seed}`;
    if (seen.has(k)) continue;
    seen.add(k);
    for (const model of ["orig", "repeat", "reorder", "retrain"]) {
      const h = p.jobs[model];
      if (!h) continue;
      for (const method of methods) {
        const v = cache(p.dataset).metrics(h, p.jobs.orig, method);
        for (const metric of SWEEP_METRICS)
          controls.push({ dataset: p.dataset, seed: p.seed, model, method, metric, value: v[metric] });
      }
    }
  }
  void byHash;

  // dose-response: mean and t-interval over seeds per strength; the floor's band over seeds
  const dose: DoseRow[] = [];
  const mono: MonoRow[] = [];
  const ctl = (dataset: string, model: string, method: string, metric: string) =>
    controls
      .filter((r) => r.dataset === dataset && r.model === model && r.method === method && r.metric === metric)
      .map((r) => r.value);
  const rng = <T>(name: string, fn: (r: import("../core/rng.js").Rng) => T) =>
    withCoreRng(core, { seed: 0, purpose: Stream.STATS, a: nameWord(`sweep/${name}`) }, fn);
  for (const dataset of grid.datasets) {
    for (const [aug, strengths] of Object.entries(grid.strengths) as [string, number[]][]) {
      for (const method of methods) {
        for (const metric of SWEEP_METRICS) {
          const fl = floorModel ? tInterval(ctl(dataset, floorModel, method, metric)) : null;
          const origV = ctl(dataset, "orig", method, metric);
          const means: number[] = [];
          const xs: number[] = [];
          const ys: number[] = [];
          const strata: number[] = [];
          for (const strength of strengths) {
            const rows = points.filter(
              (r) =>
                r.dataset === dataset &&
                r.aug === aug &&
                r.strength === strength &&
                r.method === method &&
                r.metric === metric,
            );
            const t = tInterval(rows.map((r) => r.value));
            means.push(t.mean);
            for (const r of rows) {
              if (!Number.isFinite(r.value)) continue;
              xs.push(strength);
              ys.push(r.value);
              strata.push(r.seed);
            }
            dose.push({
              dataset,
              aug,
              strength,
              method,
              metric,
              ...t,
              origMean: origV.length ? mean(origV) : null,
              floor: floorModel,
              floorMean: fl ? fl.mean : null,
              floorLo: fl ? fl.lo : null,
              floorHi: fl ? fl.hi : null,
            });
          }
          const st = rng(`mono/${dataset}/${aug}/${method}/${metric}`, (r) =>
            spearmanTest(xs, ys, r, { strata, reps: 9999 }),
          );
          mono.push({ dataset, aug, method, metric, n: xs.length, rho: st.rho, p: st.p, means: trend(means) });
        }
      }
    }
  }

  // accuracy vs saliency over the whole grid: Spearman, permutation within seed, bootstrap over seeds
  const corr: CorrRow[] = [];
  for (const dataset of grid.datasets) {
    for (const method of methods) {
      const acc = points.filter((r) => r.dataset === dataset && r.method === method && r.metric === "testAcc");
      for (const metric of MAP_METRICS) {
        const ys = points.filter((r) => r.dataset === dataset && r.method === method && r.metric === metric);
        const keep = ys.map((_, i) => i).filter((i) => Number.isFinite(ys[i].value) && Number.isFinite(acc[i].value));
        const x = keep.map((i) => acc[i].value);
        const y = keep.map((i) => ys[i].value);
        const seeds = keep.map((i) => ys[i].seed);
        const name = `corr/${dataset}/${method}/${metric}`;
        const st = rng(name, (r) => spearmanTest(x, y, r, { strata: seeds, reps: 9999 }));
        const units = grid.seeds;
        const ci = rng(`${name}/boot`, (r) =>
          bootstrapUnits(
            units.length,
            (ix) => {
              const bx: number[] = [];
              const by: number[] = [];
              for (const u of ix) {
                for (let k = 0; k < x.length; k++) {
                  if (seeds[k] !== units[u]) continue;
                  bx.push(x[k]);
                  by.push(y[k]);
                }
              }
              return spearman(bx, by);
            },
            r,
            { reps: 1999 },
          ),
        );
        corr.push({ dataset, method, metric, n: x.length, rho: st.rho, p: st.p, lo: ci.lo, hi: ci.hi });
      }
    }
  }

  // agreement between methods: Spearman across grid points of each map metric
  const agree: AgreeRow[] = [];
  for (const dataset of grid.datasets) {
    for (const metric of ["cc", "spearman"]) {
      for (let a = 0; a < methods.length; a++) {
        for (let b = a + 1; b < methods.length; b++) {
          const va = points.filter((r) => r.dataset === dataset && r.method === methods[a] && r.metric === metric);
          const vb = points.filter((r) => r.dataset === dataset && r.method === methods[b] && r.metric === metric);
          const keep = va.map((_, i) => i).filter((i) => Number.isFinite(va[i].value) && Number.isFinite(vb[i].value));
          const st = rng(`agree/${dataset}/${metric}/${methods[a]}/${methods[b]}`, (r) =>
            spearmanTest(
              keep.map((i) => va[i].value),
              keep.map((i) => vb[i].value),
              r,
              { strata: keep.map((i) => va[i].seed), reps: 9999 },
            ),
          );
          agree.push({
            dataset,
            metric,
            methodA: methods[a],
            methodB: methods[b],
            n: keep.length,
            rho: st.rho,
            p: st.p,
          });
        }
      }
    }
  }

  const out = join(dir, MERGED_DIR);
  const tables: [string, object[], readonly string[]][] = [
    ["points", points, POINT_COLS],
    ["controls", controls, CONTROL_COLS],
    ["dose-response", dose, DOSE_COLS],
    ["monotonicity", mono, MONO_COLS],
    ["correlation", corr, CORR_COLS],
    ["agreement", agree, AGREE_COLS],
  ];
  for (const [name, rows, cols] of tables) {
    writeAtomic(join(out, `${name}.csv`), toCsv(rows, cols as never));
    writeAtomic(join(out, `${name}.json`), toTidyJson(rows, cols as never));
  }
  const doseSpec = doseResponseSpec(dose, grid);
  const scatter = scatterSpec(points, grid);
  const doseSvg = chartSvg(doseSpec);
  const scatterSvg = chartSvg(scatter);
  writeAtomic(join(out, "dose-response.vl.json"), toJson(doseSpec));
  writeAtomic(join(out, "accuracy-saliency.vl.json"), toJson(scatter));
  writeAtomic(join(out, "dose-response.svg"), doseSvg);
  writeAtomic(join(out, "accuracy-saliency.svg"), scatterSvg);
  const findings = findingsText(grid, dose, mono, corr);
  writeAtomic(
    join(out, "sweep.html"),
    sweepPage({
      grid,
      rec,
      jobs: plan.jobs.length,
      points: plan.points.length,
      findings,
      mono,
      corr,
      agree,
      doseSvg,
      scatterSvg,
      dose,
    }),
  );
  const text = [
    `merged ${plan.jobs.length} jobs (${plan.points.length} grid points) of ${dir}`,
    findings,
    `tables: ${join(out, "*.csv")} (and .json); report: ${join(out, "sweep.html")}`,
  ].join("\n");
  return { code: 0, text: text + "\n", missing: [] };
}

/** The dose-response findings as lines: per augmentation, CC and accuracy over strength (first method). */
export function findingsText(grid: Grid, dose: DoseRow[], mono: MonoRow[], corr: CorrRow[]): string {
  const method = grid.methods[0];
  const lines: string[] = [];
  for (const dataset of grid.datasets) {
    lines.push(
      `${dataset}, ${method}: mean over ${grid.seeds.length} seed(s) by strength; rho = Spearman vs strength (permutation p within seed)`,
    );
    for (const metric of ["cc", "testAcc"]) {
      for (const aug of Object.keys(grid.strengths)) {
        const rows = dose.filter(
          (r) => r.dataset === dataset && r.aug === aug && r.method === method && r.metric === metric,
        );
        const m = mono.find(
          (r) => r.dataset === dataset && r.aug === aug && r.method === method && r.metric === metric,
        )!;
        const floor = rows[0]?.floorMean ?? null;
        lines.push(
          `  ${metric.padEnd(8)}${aug.padEnd(11)}${rows.map((r) => `${r.strength}: ${fmt(r.mean)}`).join("  ")}` +
            `  | rho ${fmt(m.rho, 2)} p ${fmt(m.p, 4)}, means ${m.means}${floor !== null ? `; ${rows[0].floor} floor ${fmt(floor)}` : ""}`,
        );
      }
    }
    for (const c of corr.filter(
      (r) => r.dataset === dataset && r.method === method && (r.metric === "cc" || r.metric === "kl"),
    ))
      lines.push(
        `  accuracy vs ${c.metric} over ${c.n} grid points: rho ${fmt(c.rho, 3)} (p ${fmt(c.p, 4)}, 95% bootstrap over seeds ${fmt(c.lo, 2)} to ${fmt(c.hi, 2)})`,
      );
  }
  return lines.join("\n");
}
