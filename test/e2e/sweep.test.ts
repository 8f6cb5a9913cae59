// Sweeps end to end (issue 17): a tiny grid (2 blur strengths x 2 seeds, vanilla, tiny epochs) on a tiny
// IDX subset, run in one process, as --shard processes in reverse order (one with a job made to fail),
// and killed then resumed; every merge must give the same bytes. Also: merge of an incomplete folder
// names the missing and failed jobs with their shard and prints the rerun commands; a job folder of
// another augsal version is refused by name; a bad grid is a usage error before any file is written.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tinyData } from "./idx-subset.js";
import { compileChart } from "../../src/report/charts/render.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const e2e = suite("sweep and merge end to end");

const tmp = mkdtempSync(join(tmpdir(), "augsal-sweep-e2e-"));
const dataDir = join(tmp, "data");
tinyData(dataDir);
const gridPath = join(tmp, "grid.json");
writeFileSync(
  gridPath,
  JSON.stringify({
    datasets: [`idx:${dataDir}`],
    seeds: [0, 1],
    methods: ["vanilla"],
    strengths: { blur: [1, 2] },
    study: { epochs: 2, steps: 2, copies: 2, "train-per-class": 4, "val-per-class": 5, queries: 1 },
  }),
);
// orig, repeat, reorder, retrain per seed + one blur job per strength and seed
const JOBS = 2 * 4 + 2 * 2;

function run(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [cliPath, ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0", ...env },
  });
}
const merged = (dir: string) =>
  readdirSync(join(dir, "merged"))
    .sort()
    .map((f) => [f, readFileSync(join(dir, "merged", f))] as const);
const finished = (dir: string) =>
  existsSync(join(dir, "jobs"))
    ? readdirSync(join(dir, "jobs")).filter((n) => existsSync(join(dir, "jobs", n, "done.json"))).length
    : 0;

function assertSameMerge(a: string, b: string): void {
  const ma = merged(a);
  const mb = merged(b);
  assert.equal(
    mb.map(([f]) => f),
    ma.map(([f]) => f),
  );
  for (let i = 0; i < ma.length; i++) assert.ok(ma[i][1].equals(mb[i][1]), `merged/${ma[i][0]} differs`);
}

const one = join(tmp, "one");

e2e("a bad grid is a usage error naming the key and value, before any file is written", () => {
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, JSON.stringify({ seeds: [0], strengths: { blur: [1, 42] } }));
  const out = join(tmp, "never");
  let r = run(["sweep", bad, "--out", out]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /strengths\.blur/);
  assert.match(r.stderr, /42/);
  writeFileSync(bad, JSON.stringify({ seeds: [0], strengths: { blurr: [1] } }));
  r = run(["sweep", bad, "--out", out]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /strengths/);
  assert.match(r.stderr, /blurr/);
  writeFileSync(bad, JSON.stringify({ seeds: [0], strengths: { blur: [1] }, study: { epochs: -1 } }));
  r = run(["sweep", bad, "--out", out]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /study\.epochs/);
  assert.not.ok(existsSync(out), "a refused sweep wrote its folder");
});

e2e("--dry-run counts the jobs and the shared ones, estimates core-hours and disk, writes nothing", () => {
  const out = join(tmp, "dry");
  const r = run(["sweep", gridPath, "--out", out, "--dry-run"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${JOBS} training jobs \\(20 uses by grid points: 8 shared`));
  assert.match(r.stdout, /estimated: [\d.]+ core-hours/);
  assert.match(r.stdout, /disk: about/);
  assert.not.ok(existsSync(out));
});

e2e("one process trains every job once and merge writes the tables and the page", () => {
  const r = run(["sweep", gridPath, "--out", one, "--workers", "2"]);
  assert.is(r.status, 0, r.stderr);
  assert.is(finished(one), JOBS);
  const again = run(["sweep", gridPath, "--out", one, "--workers", "2"]);
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stdout, /0 trained, 12 already done/);
  const m = run(["merge", one]);
  assert.is(m.status, 0, m.stderr + m.stdout);
  const points = readFileSync(join(one, "merged", "points.csv"), "utf8")
    .trim()
    .split("\n");
  // 4 grid points x 1 method x 7 metrics, and the header
  assert.is(points.length, 1 + 4 * 7);
  const page = readFileSync(join(one, "merged", "sweep.html"), "utf8");
  // both charts are drawn into the page (static SVG from their specs: no script, no fetch)
  assert.is(page.match(/<svg[\s>]/g)?.length, 2);
  assert.not.match(page, /<script/);
  for (const name of ["dose-response", "accuracy-saliency"]) {
    const spec = JSON.parse(readFileSync(join(one, "merged", `${name}.vl.json`), "utf8"));
    assert.ok(spec.data.values.length > 0, name);
    assert.equal(compileChart(spec).warnings, [], name);
    assert.ok(readFileSync(join(one, "merged", `${name}.svg`), "utf8").includes("<svg"), name);
  }
});

e2e(
  "shards in reverse order, one job failing: merge names it and the missing shard, the rerun completes it, same bytes",
  () => {
    const out = join(tmp, "shards");
    const r1 = run(["sweep", gridPath, "--out", out, "--shard", "1/2", "--workers", "1"], {
      AUGSAL_SWEEP_FAIL: `idx:${dataDir}/blur=2/seed1`,
    });
    const failedName = `idx:${dataDir}/blur=2/seed1`;
    const plan = JSON.parse(readFileSync(join(out, "plan.json"), "utf8"));
    const shards = JSON.parse(readFileSync(join(out, "shards.json"), "utf8"));
    assert.is(shards.n, 2);
    const owner = shards.shards.findIndex((s: { jobs: string[] }) =>
      s.jobs.includes(plan.jobs.find((j: { name: string }) => j.name === failedName).hash),
    );
    let m = run(["merge", out]);
    assert.is(m.status, 1, m.stdout + m.stderr);
    assert.match(m.stdout, /shard 0\/2/);
    assert.match(m.stdout, /--shard 0\/2/);
    if (owner === 1) {
      assert.is(r1.status, 1, "a shard with a failed job exits 1");
      assert.match(m.stdout, /failed .*blur=2\/seed1.*failure injected/);
      assert.match(m.stdout, /--shard 1\/2/);
    }
    const r0 = run(["sweep", gridPath, "--out", out, "--shard", "0/2", "--workers", "1"], {
      AUGSAL_SWEEP_FAIL: owner === 0 ? failedName : "",
    });
    if (owner === 0) assert.is(r0.status, 1);
    m = run(["merge", out]);
    assert.is(m.status, 1);
    assert.match(m.stdout, new RegExp(`failed .*blur=2/seed1`));
    const cmd = m.stdout.split("\n").find((l) => l.includes(`--shard ${owner}/2`))!;
    assert.ok(cmd, m.stdout);
    // the printed command, as printed (its grid is the sweep folder's grid.json)
    const args = cmd.trim().split(/\s+/).slice(2);
    const r = run(args);
    assert.is(r.status, 0, r.stderr);
    m = run(["merge", out]);
    assert.is(m.status, 0, m.stdout + m.stderr);
    assert.not.ok(
      existsSync(join(out, "failed", `${plan.jobs.find((j: { name: string }) => j.name === failedName).hash}.json`)),
    );
    assertSameMerge(one, out);
  },
);

e2e("a sweep killed while training resumes where it stopped, same bytes", async () => {
  const out = join(tmp, "killed");
  const child = spawn(process.execPath, [cliPath, "sweep", gridPath, "--out", out, "--workers", "2"], {
    stdio: "ignore",
  });
  await new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (finished(out) >= 2) {
        clearInterval(tick);
        child.kill("SIGKILL");
        resolve();
      } else if (Date.now() - t0 > 300_000) {
        clearInterval(tick);
        child.kill("SIGKILL");
        reject(new Error("no job finished in 300 s"));
      }
    }, 50);
  });
  await new Promise((r) => child.once("exit", r));
  const before = finished(out);
  assert.ok(before >= 2 && before < JOBS, `killed after ${before} jobs`);
  const m = run(["merge", out]);
  assert.is(m.status, 1);
  assert.match(m.stdout, /missing/);
  assert.match(m.stdout, /sweep .*grid\.json --out/);
  const r = run(["sweep", gridPath, "--out", out, "--workers", "2"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${before} already done`));
  assert.is(run(["merge", out]).status, 0);
  assertSameMerge(one, out);
});

e2e("merge refuses a folder that mixes job folders of another augsal version, naming them", () => {
  const out = join(tmp, "mixed");
  cpSync(one, out, { recursive: true });
  const jobs = readdirSync(join(out, "jobs")).filter((n) => !n.startsWith("."));
  const victim = jobs[0];
  const p = join(out, "jobs", victim, "job.json");
  const rec = JSON.parse(readFileSync(p, "utf8"));
  rec.augsal = "0.0.1-other";
  writeFileSync(p, JSON.stringify(rec, null, 2) + "\n");
  const m = run(["merge", out]);
  assert.is(m.status, 2, m.stdout + m.stderr);
  assert.match(m.stderr, new RegExp(`jobs/${victim}`));
  assert.match(m.stderr, /0\.0\.1-other/);
});

e2e("a sweep folder of another grid is refused, and so is a folder that is not a sweep's", () => {
  const r = run(["sweep", gridPath, "--out", one, "--seed", "5"]);
  assert.is(r.status, 2, r.stderr);
  assert.match(r.stderr, /another grid/);
  const foreign = join(tmp, "foreign");
  mkdirSync(foreign);
  writeFileSync(join(foreign, "notes.txt"), "mine\n");
  const f = run(["sweep", gridPath, "--out", foreign]);
  assert.is(f.status, 2);
  assert.match(f.stderr, /not a sweep folder/);
  assert.is(readFileSync(join(foreign, "notes.txt"), "utf8"), "mine\n");
  const m = run(["merge", foreign]);
  assert.is(m.status, 2);
});

e2e.after(() => rmSync(tmp, { recursive: true, force: true }));
e2e.run();
