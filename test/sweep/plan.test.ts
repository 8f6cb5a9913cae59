// The sweep's grid and plan without training: GRID parsing and its errors, ranges, overrides, the
// content-addressed job list (shared jobs once, keys that change with what decides a result and only
// with it), the LPT split and the shard from the environment, the rerun commands, and job claims.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { errorOf } from "../helpers.js";
import { parseCli } from "../../src/cli/parse.js";
import { DEFAULT_CONFIG, UsageError } from "../../src/study/config.js";
import { expandRange, parseGridFile, resolveGrid, type FlagValues } from "../../src/sweep/grid.js";
import {
  assignShards,
  canonicalJson,
  parseShard,
  planSweep,
  rerunCommands,
  shardFromEnv,
  shardRecord,
  type DatasetInfo,
} from "../../src/sweep/plan.js";
import { Claims } from "../../src/sweep/claims.js";

const t = suite("sweep grid and plan");

const toConfig = (f: FlagValues) =>
  parseCli(["study", ...Object.entries(f).flatMap(([k, v]) => (v === true ? [`--${k}`] : [`--${k}`, String(v)]))])
    .config;
const INFO: DatasetInfo = {
  inputs: { trainImages: { path: "/x", bytes: 1, sha256: "aa" } },
  rows: 28,
  cols: 28,
  classes: 10,
  testCount: 10000,
};
const CODE = { augsal: "0.1.0", wasmSha256: "ff" };
const grid = (o: object, flags: FlagValues = {}) =>
  resolveGrid("g.json", parseGridFile("g.json", JSON.stringify(o)), flags, toConfig);

t("ranges are numpy.linspace, inclusive", () => {
  assert.equal(expandRange("0.1:0.4:4"), [0.1, 0.2, 0.3, 0.4]);
  assert.equal(expandRange("2:8:1"), [2]);
  assert.equal(expandRange("0:1:3"), [0, 0.5, 1]);
});

t("grid errors name the key and the value", () => {
  let e = errorOf(() => parseGridFile("g.json", JSON.stringify({ seeds: [0, "1"], strengths: { blur: [1] } })));
  assert.instance(e, UsageError);
  assert.match(e.message, /g\.json: key seeds\[1\]/);
  assert.match(e.message, /"1"/);
  e = errorOf(() => parseGridFile("g.json", JSON.stringify({ seeds: [0], strengths: { blur: "1:2" } })));
  assert.match(e.message, /strengths\.blur/);
  assert.match(e.message, /start:stop:count/);
  e = errorOf(() =>
    parseGridFile("g.json", JSON.stringify({ seeds: [0], strengths: { blur: [1] }, study: { runs: 3 } })),
  );
  assert.match(e.message, /runs/);
  e = errorOf(() => parseGridFile("g.json", "{ seeds"));
  assert.match(e.message, /not valid JSON/);
  e = errorOf(() => grid({ seeds: [0], strengths: { scaling: [0.5, 1.5] } }));
  assert.match(e.message, /strengths\.scaling.*1\.5/);
  e = errorOf(() => grid({ seeds: [0], strengths: { blur: [1] }, study: { optimizer: "rmsprop" } }));
  assert.match(e.message, /study\.optimizer.*rmsprop/);
  e = errorOf(() => grid({ seeds: [0], datasets: ["cifar"], strengths: { blur: [1] } }));
  assert.match(e.message, /datasets\[0\].*cifar/);
});

t("flags override the file: axes replaced or narrowed, fixed flags replaced", () => {
  const file = { seeds: [0, 1], strengths: { blur: "1:3:3", crop: [4, 2] }, study: { epochs: 5 } };
  const a = grid(file);
  assert.equal(a.grid.strengths, { crop: [2, 4], blur: [1, 2, 3] });
  assert.is(a.base.epochs, 5);
  assert.equal(a.grid.methods, DEFAULT_CONFIG.methods);
  const b = grid(file, { epochs: "2", seed: "7", aug: "blur", strength: "blur=4", methods: "ig" });
  assert.is(b.base.epochs, 2);
  assert.equal(b.grid.seeds, [7]);
  assert.equal(b.grid.strengths, { blur: [4] });
  assert.equal(b.grid.methods, ["vanilla", "ig"]);
  assert.is(b.grid.study.epochs, 2);
  assert.match(errorOf(() => grid(file, { aug: "erasing" })).message, /no strengths for 'erasing'/);
  assert.match(errorOf(() => grid(file, { runs: "2" })).message, /--runs/);
});

t("the plan: shared jobs once, every point reads its own, keys change with what decides a result", () => {
  const { grid: g, base } = grid({ seeds: [0, 1], methods: ["vanilla"], strengths: { blur: [1, 2, 3], crop: [2] } });
  const plan = planSweep(g, base, { mnist: INFO }, CODE);
  // per seed: orig, repeat, reorder, retrain + 4 augmented
  assert.is(plan.jobs.length, 2 * (4 + 4));
  assert.is(plan.points.length, 2 * 4);
  assert.is(new Set(plan.jobs.map((j) => j.hash)).size, plan.jobs.length);
  const p0 = plan.points.filter((p) => p.seed === 0);
  assert.is(new Set(p0.map((p) => p.jobs.orig)).size, 1, "one Orig per seed");
  assert.is(new Set(p0.map((p) => p.jobs.reorder)).size, 1);
  assert.is(new Set(p0.map((p) => p.jobs.repeat)).size, 1);
  assert.is.not(plan.points.find((p) => p.seed === 1)!.jobs.orig, p0[0].jobs.orig);
  // same inputs, same plan; another version, core or dataset: other hashes
  assert.is(canonicalJson(planSweep(g, base, { mnist: INFO }, CODE)), canonicalJson(plan));
  const other = planSweep(g, base, { mnist: INFO }, { ...CODE, augsal: "0.2.0" });
  assert.not.ok(other.jobs.some((j) => plan.jobs.some((k) => k.hash === j.hash)));
  const data2 = planSweep(
    g,
    base,
    { mnist: { ...INFO, inputs: { trainImages: { path: "/y", bytes: 1, sha256: "bb" } } } },
    CODE,
  );
  assert.not.ok(data2.jobs.some((j) => plan.jobs.some((k) => k.hash === j.hash)));
  // the path of the same data does not count
  const moved = planSweep(
    g,
    base,
    { mnist: { ...INFO, inputs: { trainImages: { path: "/z", bytes: 1, sha256: "aa" } } } },
    CODE,
  );
  assert.equal(
    moved.jobs.map((j) => j.hash),
    plan.jobs.map((j) => j.hash),
  );
  // a grid with more strengths keeps the hashes of the jobs it shares
  const wider = grid({ seeds: [0, 1], methods: ["vanilla"], strengths: { blur: [1, 2, 3, 4], crop: [2] } });
  const wp = planSweep(wider.grid, wider.base, { mnist: INFO }, CODE);
  for (const j of plan.jobs)
    assert.ok(
      wp.jobs.some((k) => k.hash === j.hash),
      `${j.name} changed hash`,
    );
  // Orig's cost is below an augmented set's (11x the images)
  const orig = plan.jobs.find((j) => j.model === "orig")!;
  const aug = plan.jobs.find((j) => j.aug === "blur")!;
  assert.ok(aug.cost > orig.cost);
});

t("LPT split: deterministic, every job once, balanced within the largest job", () => {
  const jobs = Array.from({ length: 37 }, (_, i) => ({
    hash: `h${String(i).padStart(2, "0")}`,
    cost: 1 + ((i * 7919) % 13),
  }));
  for (const n of [1, 2, 3, 5, 8]) {
    const a = assignShards(jobs, n);
    const b = assignShards([...jobs].reverse(), n);
    assert.equal([...a.entries()].sort(), [...b.entries()].sort(), "order of the input does not matter");
    assert.is(a.size, jobs.length);
    const load = new Array(n).fill(0);
    for (const j of jobs) load[a.get(j.hash)!] += j.cost;
    assert.ok(Math.max(...load) - Math.min(...load) <= 13, `loads ${load}`);
  }
  assert.throws(() => assignShards(jobs, 0));
});

t("the shard: --shard I/N, Slurm and Kubernetes environments, the recorded N first", () => {
  assert.equal(parseShard("3/4"), { index: 3, count: 4 });
  assert.match(errorOf(() => parseShard("4/4")).message, /from 0 to N-1/);
  assert.match(errorOf(() => parseShard("x")).message, /I\/N/);
  assert.is(shardFromEnv({}), undefined);
  assert.equal(shardFromEnv({ SLURM_ARRAY_TASK_ID: "2", SLURM_ARRAY_TASK_COUNT: "5" }), {
    index: 2,
    count: 5,
    from: "SLURM_ARRAY_TASK_ID",
  });
  // a rerun array (--array=3,17) has 2 tasks; the split is the recorded one
  const rec = { n: 20, shards: [] };
  assert.equal(shardFromEnv({ SLURM_ARRAY_TASK_ID: "17", SLURM_ARRAY_TASK_COUNT: "2" }, rec)?.count, 20);
  assert.equal(shardFromEnv({ JOB_COMPLETION_INDEX: "1", AUGSAL_SHARD_COUNT: "3" }), {
    index: 1,
    count: 3,
    from: "JOB_COMPLETION_INDEX",
  });
  assert.match(errorOf(() => shardFromEnv({ JOB_COMPLETION_INDEX: "1" })).message, /AUGSAL_SHARD_COUNT/);
});

t("rerun commands: sbatch for a --slurm sweep, one --shard per owning shard, else the sweep again", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-sweep-plan-"));
  try {
    const m = (shard: number | null) => ({ hash: "h", name: "n", status: "missing" as const, shard, points: [] });
    const rec = { n: 4, shards: [] };
    assert.equal(rerunCommands(dir, [m(3), m(1), m(3)], rec), [
      `node dist/cli.js sweep ${dir}/grid.json --out ${dir} --shard 1/4`,
      `node dist/cli.js sweep ${dir}/grid.json --out ${dir} --shard 3/4`,
    ]);
    assert.equal(rerunCommands(dir, [m(null)]), [`node dist/cli.js sweep ${dir}/grid.json --out ${dir}`]);
    writeFileSync(join(dir, "sweep.sbatch"), "#!/bin/sh\n");
    assert.equal(rerunCommands(dir, [m(17), m(3)], rec), [`sbatch --array=3,17 ${dir}/sweep.sbatch`]);
    const g = grid({ seeds: [0], methods: ["vanilla"], strengths: { blur: [1] } });
    const r = shardRecord(planSweep(g.grid, g.base, { mnist: INFO }, CODE), 2);
    assert.is(r.shards[0].jobs.length + r.shards[1].jobs.length, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t("claims: one holder at a time; a dead holder's claim is taken over", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-sweep-claims-"));
  try {
    const a = new Claims(dir);
    const b = new Claims(dir);
    assert.ok(a.claim("j1"));
    assert.not.ok(b.claim("j1"), "a live holder keeps its claim");
    a.release("j1");
    assert.ok(b.claim("j1"));
    b.releaseAll();
    // a claim of a dead process of this host: taken over at once
    const c = new Claims(dir);
    assert.ok(c.claim("j2"));
    const holder = join(dir, "claims", "j2", "holder.json");
    const h = JSON.parse(readFileSync(holder, "utf8"));
    writeFileSync(holder, JSON.stringify({ ...h, pid: 2 ** 22 + 12345 }));
    assert.ok(new Claims(dir).claim("j2"));
    // an old claim of another host: stale after staleMs
    writeFileSync(holder, JSON.stringify({ host: "elsewhere", pid: 1, since: "x" }));
    assert.not.ok(new Claims(dir, 60_000).claim("j2"));
    assert.ok(new Claims(dir, -1).claim("j2"));
    c.releaseAll();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
