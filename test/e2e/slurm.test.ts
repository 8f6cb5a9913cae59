// A sweep on a real Slurm (single node, started by scripts/slurm.sh): `augsal sweep --slurm --submit`
// on a tiny grid, waited for by polling squeue, merged by the merge job Slurm ran after the array
// (afterok); its merged results are the same bytes as the same sweep run in one process and as
// `--shard` processes started in reverse order. Then a failure: a copy of the generated script whose
// task 1 exits 1 before augsal runs (no hook in augsal); the merge job is dropped, `augsal merge` names
// the failed shard's jobs and prints the rerun command, and running that command completes the sweep
// with the same bytes. Prints the timings. Skipped, with the reason, where Slurm cannot be started
// (packages missing, not root).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { finishedJobs, idxSubset, slurmUnavailable, startSlurm, waitForJobs, type Slurm } from "./slurm-harness.js";
import { MERGED_DIR } from "../../src/sweep/merge.js";
import { PLAN_FILE, SHARDS_FILE, type Plan, type ShardRecord } from "../../src/sweep/plan.js";
import { SUBMITTED_FILE, type Submitted } from "../../src/sweep/slurm.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const t = suite("slurm: a sweep as a Slurm array job");

const SHARDS = 4;
const THROTTLE = 2;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Ran> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cliPath, ...args], { env: { ...env, FORCE_COLOR: "0" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d));
    p.stderr.on("data", (d: Buffer) => (stderr += d));
    p.on("close", (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - t0) / 1000 }));
  });
}

function ok(r: Ran, what: string): Ran {
  assert.is(r.code, 0, `${what} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
  return r;
}

/** Every file under `dir` (relative path → bytes). */
function tree(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

/** What a sweep's results are: the merged folder, and every job's done.json (the SHA-256 of each of
 *  its files: weights, history, maps, predictions). timing.json and the logs are not results. */
function results(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [p, b] of tree(join(dir, MERGED_DIR))) out.set(join(MERGED_DIR, p), b);
  const jobs = join(dir, "jobs");
  for (const h of readdirSync(jobs).sort())
    if (!h.startsWith(".")) out.set(`jobs/${h}/done.json`, readFileSync(join(jobs, h, "done.json")));
  return out;
}

function assertSameResults(a: Map<string, Buffer>, b: Map<string, Buffer>, what: string): void {
  assert.equal([...b.keys()], [...a.keys()], `${what}: the same files`);
  for (const [p, bytes] of a) assert.ok(bytes.equals(b.get(p)!), `${what}: ${p} differs`);
}

const skip = slurmUnavailable();
const slurm: Slurm | string = skip ?? startSlurm();
if (typeof slurm === "string") {
  console.log(`\n  slurm: SKIPPED — ${slurm}\n`);
  t.skip("a sweep as a Slurm array job (Slurm cannot run here)", () => {});
} else {
  const tmp = mkdtempSync(join(tmpdir(), "augsal-slurm-e2e-"));
  const data = join(tmp, "data");
  const grid = join(tmp, "grid.json");
  const env = slurm.env;
  const timings: string[] = [`slurm up (daemons to an idle node): ${slurm.upSeconds.toFixed(1)} s`];
  let reference: Map<string, Buffer> | undefined;
  let slurmResults: Map<string, Buffer> | undefined;
  // Stop Slurm whatever happens: uvu runs `after` in a finally; the exit hook covers a crash.
  const stop = () => slurm.stop();
  process.once("exit", stop);

  t.before(() => {
    mkdirSync(data);
    idxSubset(data, "train", 1000, "train");
    idxSubset(data, "t10k", 200, "t10k");
    writeFileSync(
      grid,
      JSON.stringify({
        datasets: [`idx:${data}`],
        seeds: [0, 1],
        methods: ["vanilla"],
        strengths: { blur: [0.5, 1.5] },
        study: { epochs: 2, steps: 2, copies: 2, "train-per-class": 4, "val-per-class": 5, queries: 1 },
      }),
    );
  });

  t.after(() => {
    try {
      console.log(`\n  slurm timings (2 cores, tiny grid of ${SHARDS} shards, throttle ${THROTTLE}):`);
      for (const l of timings) console.log(`    ${l}`);
    } finally {
      stop();
      process.off("exit", stop);
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  t("--slurm --submit: the array and the merge job run; merged bytes = one process = shards in reverse", async () => {
    const dir = join(tmp, "slurm");
    const t0 = performance.now();
    const sub = ok(
      await cli(
        [
          "sweep",
          grid,
          "--out",
          dir,
          "--slurm",
          "--submit",
          "--shards",
          String(SHARDS),
          "--throttle",
          String(THROTTLE),
        ],
        env,
      ),
      "sweep --slurm --submit",
    );
    const tSubmitted = performance.now();
    const ids = JSON.parse(readFileSync(join(dir, SUBMITTED_FILE), "utf8")) as Submitted;
    assert.match(sub.stdout, new RegExp(`\\b${ids.arrayJobId}\\b`), "the array job's id is printed");
    assert.match(sub.stdout, new RegExp(`\\b${ids.mergeJobId}\\b`), "the merge job's id is printed");
    await waitForJobs(slurm, [ids.arrayJobId], 600_000);
    const tArray = performance.now();
    await waitForJobs(slurm, [ids.mergeJobId], 300_000);
    const tMerged = performance.now();
    timings.push(
      `sweep --slurm --submit (plan, measure, write, sbatch x2): ${((tSubmitted - t0) / 1000).toFixed(1)} s`,
      `submit -> array done (${SHARDS} tasks): ${((tArray - tSubmitted) / 1000).toFixed(1)} s`,
      `array done -> merge job done: ${((tMerged - tArray) / 1000).toFixed(1)} s`,
      `submit -> merged: ${((tMerged - tSubmitted) / 1000).toFixed(1)} s`,
    );
    // every task and the merge job completed with exit 0 (jobcomp/filetxt: there is no sacct)
    const ends = finishedJobs(slurm);
    const tasks = ends.filter((e) => e.arrayJobId === ids.arrayJobId);
    assert.equal(
      tasks.map((e) => Number(e.arrayTaskId)).sort((a, b) => a - b),
      [...Array(SHARDS).keys()],
      "one finished task per shard",
    );
    for (const e of tasks) assert.is(`${e.state} ${e.exitCode}`, "COMPLETED 0:0", `task ${e.arrayTaskId}`);
    const merge = ends.find((e) => e.jobId === ids.mergeJobId);
    assert.is(merge && `${merge.state} ${merge.exitCode}`, "COMPLETED 0:0", "the merge job");
    const mergeLog = readFileSync(join(dir, "logs", `merge_${ids.mergeJobId}.out`), "utf8");
    assert.ok(existsSync(join(dir, MERGED_DIR)), `merged/ written by the merge job:\n${mergeLog}`);
    slurmResults = results(dir);

    // the same sweep in one process, then as shards started in reverse order (all at once)
    const one = join(tmp, "one");
    const r1 = ok(await cli(["sweep", grid, "--out", one, "--workers", "2"]), "sweep in one process");
    const m1 = ok(await cli(["merge", one]), "merge (one process)");
    timings.push(`one process: sweep ${r1.seconds.toFixed(1)} s, merge ${m1.seconds.toFixed(1)} s`);
    reference = results(one);
    assertSameResults(reference, slurmResults, "Slurm array vs one process");

    const sh = join(tmp, "shards");
    const ts = performance.now();
    const runs: Promise<Ran>[] = [];
    for (let i = SHARDS - 1; i >= 0; i--) {
      runs.push(cli(["sweep", grid, "--out", sh, "--shard", `${i}/${SHARDS}`, "--workers", "1"]));
      await new Promise((r) => setTimeout(r, 200));
    }
    (await Promise.all(runs)).forEach((r, k) => ok(r, `shard ${SHARDS - 1 - k}/${SHARDS}`));
    const ms = ok(await cli(["merge", sh]), "merge (shards)");
    timings.push(
      `${SHARDS} shard processes at once: ${((performance.now() - ts) / 1000 - ms.seconds).toFixed(1)} s, merge ${ms.seconds.toFixed(1)} s`,
    );
    assertSameResults(reference, results(sh), "shards in reverse order vs one process");
  });

  t("a failed task: merge names its jobs, prints the rerun command; the rerun completes the same bytes", async () => {
    const dir = join(tmp, "fail");
    ok(
      await cli(
        ["sweep", grid, "--out", dir, "--slurm", "--shards", String(SHARDS), "--throttle", String(THROTTLE)],
        env,
      ),
      "sweep --slurm",
    );
    // A copy of the generated script whose task 1 fails before augsal runs: nothing in augsal knows.
    const script = readFileSync(join(dir, "sweep.sbatch"), "utf8");
    assert.ok(script.includes("\nset -euo pipefail\n"));
    const failing = join(dir, "sweep-task1-fails.sbatch");
    writeFileSync(
      failing,
      script.replace(
        "\nset -euo pipefail\n",
        '\nset -euo pipefail\nif [ "$SLURM_ARRAY_TASK_ID" = 1 ]; then echo "task 1 made to fail by the test" >&2; exit 1; fi\n',
      ),
    );
    const t0 = performance.now();
    const arrayId = slurm.run("sbatch", ["--parsable", failing]).trim();
    const mergeId = slurm
      .run("sbatch", ["--parsable", `--dependency=afterok:${arrayId}`, join(dir, "merge.sbatch")])
      .trim();
    await waitForJobs(slurm, [arrayId], 600_000);
    // the merge job, pending on a dependency that can no longer be met, is removed by Slurm
    await waitForJobs(slurm, [mergeId], 60_000, { neverSatisfied: "wait" });
    timings.push(`failing array (task 1 exits 1) submit -> done: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const ends = finishedJobs(slurm);
    const task1 = ends.find((e) => e.arrayJobId === arrayId && e.arrayTaskId === "1");
    assert.is(task1 && `${task1.state} ${task1.exitCode}`, "FAILED 1:0", "task 1 failed");
    // afterok can never be met: Slurm removed the merge job (--kill-on-invalid-dep), it did not run
    const dropped = ends.find((e) => e.jobId === mergeId);
    assert.is(dropped?.state, "CANCELLED", "the merge job was cancelled by Slurm");
    assert.not.ok(existsSync(join(dir, MERGED_DIR)), "no merge ran");
    assert.not.ok(existsSync(join(dir, "logs", `merge_${mergeId}.out`)), "the merge job never started");

    const m = await cli(["merge", dir]);
    assert.is(m.code, 1, `merge of an incomplete sweep exits 1:\n${m.stdout}\n${m.stderr}`);
    const record = JSON.parse(readFileSync(join(dir, SHARDS_FILE), "utf8")) as ShardRecord;
    const plan = JSON.parse(readFileSync(join(dir, PLAN_FILE), "utf8")) as Plan;
    const shard1 = new Set(record.shards[1].jobs);
    assert.ok(shard1.size > 0, "shard 1 owns jobs");
    for (const j of plan.jobs) {
      if (shard1.has(j.hash)) assert.ok(m.stdout.includes(j.name), `merge names ${j.name} of shard 1:\n${m.stdout}`);
      else assert.not.ok(m.stdout.includes(` ${j.name} `), `merge does not name ${j.name} (another shard)`);
    }
    const rerun = `sbatch --array=1 ${join(dir, "sweep.sbatch")}`;
    assert.ok(m.stdout.includes(rerun), `merge prints '${rerun}':\n${m.stdout}`);

    // run exactly the printed command (as a user would paste it), then merge
    const t1 = performance.now();
    const rerunId = slurm.run("sbatch", ["--parsable", ...rerun.split(" ").slice(1)]).trim();
    await waitForJobs(slurm, [rerunId], 600_000);
    const tRerun = performance.now();
    const m2 = ok(await cli(["merge", dir]), "merge after the rerun");
    timings.push(`rerun of task 1: ${((tRerun - t1) / 1000).toFixed(1)} s; merge after it: ${m2.seconds.toFixed(1)} s`);
    assert.ok(reference, "the first test made the reference");
    assertSameResults(reference!, results(dir), "failed task rerun vs one process");
  });
}

t.run();
