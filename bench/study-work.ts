// `npm run bench:study`: augsal's default study against the same work in PyTorch, timed side by side
// (issue 15: "The default study on 2 cores in <= 0.6x the wall time of the same work in PyTorch; report
// the study's wall time, and the work it contains (models, training images, evaluation images), next to
// the measured ratio of its training throughput").
//
// R rounds (default 3), interleaved A P A P ...: A is `node dist/cli.js --out TMP --workers T` (the
// whole study: training, maps, trust tables, statistics, figures, report), P is
// `/usr/bin/python3 bench/torch_study.py DATA --threads T` (the same models, training images,
// evaluation images and maps, written the way a PyTorch user would: see its docstring for what it
// leaves out). Each is timed by the wall clock around the process, start-up included; the table shows
// every round and the median, the ratio being the median of the rounds' ratios augsal / PyTorch.
// The work is counted three ways and must agree: from the configuration (studyWork, below), from what
// augsal wrote (its histories, split and saliency files) and from what torch_study.py reports doing;
// a disagreement is printed and exits 1. --peer-ratio adds one `bench/peer.js --json` run at T threads
// (the training throughput ratio the issue asks for beside the wall time). PyTorch is skipped with the
// reason when /usr/bin/python3 cannot import torch. The run folders are made under a fresh temporary
// folder of this script's and deleted after each round; nothing else is deleted.
//   npm run bench:study [-- --rounds 3] [--threads 2] [--cpus 0,1] [--quick] [--data idx:DIR] [--peer-ratio] [--json]
//   npm run bench:study -- --work-only      the configured work of the default study, nothing run
// --quick: a small configuration on both sides (--epochs 2 --steps 2 --methods vanilla --no-trust)
// to check that everything runs and the counts agree; its timings mean little.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import * as os from "node:os";
import { DEFAULT_CONFIG, studyJobs, type StudyConfig } from "../src/study/config.js";
import { loadDataset, mnistDir } from "../src/node/datasets.js";
import { parseTimingsFile } from "../src/node/schemas.js";

export interface StudyWork {
  jobs: number;
  /** Images per training set by job id, and its batch. */
  perJob: { id: string; setSize: number; batch: number; trainImages: number; evalImages: number }[];
  trainImages: number;
  /** Forward-only images: validation after every epoch and the test set once, per job. */
  evalImages: number;
  /** Saliency maps of the query images (one per query, model and method; not their cost). */
  maps: number;
}

/** The work of a study configuration on a data set of `classes` classes and `testCount` test images,
 *  counted as the study runs it (src/study/config.ts studyJobs; src/nn/train.ts trainModel): per job,
 *  epochs x steps x batch training images (batch = set size / steps), a validation pass after every
 *  epoch, one test pass with the best weights. */
export function studyWork(c: StudyConfig, classes: number, testCount: number): StudyWork {
  const orig = c.trainPerClass * classes;
  const aug = orig * (c.copies + 1); // buildTrainingSet / repeatSet: the originals and `copies` copies
  const val = c.valPerClass * classes;
  const perJob = studyJobs(c).map((j) => {
    const setSize = j.set === "orig" ? orig : aug;
    const batch = c.batch || Math.floor(setSize / c.steps);
    // the permuted-label model validates on its own training set (src/study/job.ts)
    const valCount = j.permuteLabels ? setSize : val;
    return {
      id: j.id,
      setSize,
      batch,
      trainImages: c.epochs * c.steps * batch,
      evalImages: c.epochs * valCount + testCount,
    };
  });
  const runModels = studyJobs(c).filter((j) => j.run >= 0).length;
  return {
    jobs: perJob.length,
    perJob,
    trainImages: perJob.reduce((s, j) => s + j.trainImages, 0),
    evalImages: perJob.reduce((s, j) => s + j.evalImages, 0),
    maps: c.queries * classes * runModels * c.methods.length,
  };
}

/** The four counts both sides report. */
export interface WorkCounts {
  models: number;
  trainImages: number;
  evalImages: number;
  maps: number;
}

/** The first dimension of a .npy file's shape (its header's 'shape': (N, ...)). */
function npyRows(path: string): number {
  const head = readFileSync(path).subarray(0, 256).toString("latin1");
  const m = head.match(/'shape':\s*\((\d+)/);
  if (!m) throw new Error(`${path}: no shape in the .npy header`);
  return Number(m[1]);
}

/** What an augsal run folder shows was done: one history per trained model (steps x batch training
 *  images; a validation pass per epoch, over the split's validation images or, for the permuted-label
 *  model, its own training set; the test set once), and the query maps in saliency/ (signed copies
 *  and the queries' own file not counted). */
export function workOfRunFolder(dir: string, testCount: number): WorkCounts {
  const val = (JSON.parse(readFileSync(join(dir, "split.json"), "utf8")) as { val: number[] }).val.length;
  const w: WorkCounts = { models: 0, trainImages: 0, evalImages: 0, maps: 0 };
  for (const f of readdirSync(join(dir, "history")).filter((x) => x.endsWith(".json"))) {
    const h = JSON.parse(readFileSync(join(dir, "history", f), "utf8")) as {
      job: { permuteLabels?: boolean };
      trainSize: number;
      stepLoss: number[];
      valAcc: number[];
      batch: number;
    };
    w.models++;
    w.trainImages += h.stepLoss.length * h.batch;
    w.evalImages += h.valAcc.length * (h.job.permuteLabels ? h.trainSize : val) + testCount;
  }
  const sal = join(dir, "saliency");
  if (existsSync(sal)) {
    for (const f of readdirSync(sal)) {
      if (f.endsWith(".npy") && !f.endsWith(".signed.npy") && f !== "queries.npy") w.maps += npyRows(join(sal, f));
    }
  }
  return w;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

interface Args {
  rounds: number;
  threads: number;
  quick: boolean;
  json: boolean;
  peerRatio: boolean;
  workOnly: boolean;
  data: string;
  /** taskset's CPU list both sides are pinned to (e.g. "0,1" on a machine with more cores), or "". */
  cpus: string;
}

function usage(msg: string): never {
  console.error(
    `bench:study: ${msg}\nusage: npm run bench:study -- [--rounds N] [--threads T] [--quick] [--data mnist|idx:DIR] ` +
      `[--cpus LIST] [--peer-ratio] [--json] | --work-only`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const flags = ["--quick", "--json", "--peer-ratio", "--work-only"];
  const valued = ["--rounds", "--threads", "--data", "--cpus"];
  const got = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    if (flags.includes(argv[i])) got.set(argv[i], "");
    else if (valued.includes(argv[i])) {
      if (argv[i + 1] === undefined) usage(`${argv[i]} takes a value`);
      got.set(argv[i], argv[++i]);
    } else usage(`unknown argument ${argv[i]}`);
  }
  const int = (flag: string, def: number) => {
    const v = got.has(flag) ? Number(got.get(flag)) : def;
    if (!Number.isInteger(v) || v < 1) usage(`${flag} takes a positive integer, got ${got.get(flag)}`);
    return v;
  };
  const data = got.get("--data") ?? "mnist";
  if (data !== "mnist" && !data.startsWith("idx:")) usage(`--data takes mnist or idx:DIR, got ${data}`);
  if (got.has("--cpus") && !/^\d+([-,]\d+)*$/.test(got.get("--cpus")!))
    usage(`--cpus takes a taskset CPU list like 0,1 or 2-3, got ${got.get("--cpus")}`);
  return {
    rounds: int("--rounds", 3),
    threads: int("--threads", 2),
    quick: got.has("--quick"),
    json: got.has("--json"),
    peerRatio: got.has("--peer-ratio"),
    workOnly: got.has("--work-only"),
    data,
    cpus: got.get("--cpus") ?? "",
  };
}

/** The flags both sides take for the quick configuration (the same names on both). */
export const QUICK_FLAGS = ["--epochs", "2", "--steps", "2", "--methods", "vanilla", "--no-trust"];

function quickConfig(c: StudyConfig): StudyConfig {
  return { ...c, epochs: 2, steps: 2, methods: ["vanilla"], trust: false };
}

interface Round {
  round: number;
  augsal: { wall: number; work: WorkCounts; stages: Record<string, number> };
  torch: { wall: number; work: WorkCounts; stages: Record<string, number> } | null;
  ratio: number | null;
  loadavg: [number, number];
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", ".."); // build/ts/bench -> repo

function main(argv: string[]): void {
  const a = parseArgs(argv);
  const config = { ...(a.quick ? quickConfig(DEFAULT_CONFIG) : DEFAULT_CONFIG), data: a.data };
  const ds = loadDataset(config.data);
  const testCount = ds.test.labels.length;
  const work = studyWork(config, ds.classes, testCount);
  if (a.workOnly) {
    console.log(JSON.stringify(work, null, 2));
    return;
  }
  const expected: WorkCounts = {
    models: work.jobs,
    trainImages: work.trainImages,
    evalImages: work.evalImages,
    maps: work.maps,
  };
  const cli = join(ROOT, "dist", "cli.js");
  const script = join(ROOT, "bench", "torch_study.py");
  const dataDir = config.data === "mnist" ? mnistDir() : config.data.slice(4);
  const common = [...(a.quick ? QUICK_FLAGS : [])];
  let skip = "";
  if (!existsSync(script)) skip = `no ${script}`;
  else if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0)
    skip = "/usr/bin/python3 cannot import torch (apt-get install -y python3-torch)";

  // --cpus: both sides under `taskset -c LIST`, so that "2 cores" means the same 2 on a bigger machine
  const pinned = (cmd: string, args: string[]) =>
    a.cpus
      ? spawnSync("taskset", ["-c", a.cpus, cmd, ...args], { encoding: "utf8", maxBuffer: 1 << 26 })
      : spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const tmp = mkdtempSync(join(os.tmpdir(), "augsal-bench-study-"));
  const rounds: Round[] = [];
  try {
    for (let r = 1; r <= a.rounds; r++) {
      const load0 = os.loadavg()[0];
      const out = join(tmp, `round${r}`);
      const args = [cli, "--out", out, "--workers", String(a.threads), "--data", config.data, ...common];
      let t0 = performance.now();
      const ra = pinned(process.execPath, args);
      const wallA = (performance.now() - t0) / 1000;
      if (ra.status !== 0) throw new Error(`augsal study failed (exit ${ra.status}): ${ra.stderr.trim()}`);
      const timingsPath = join(out, "timings.json");
      const timingsA = parseTimingsFile(timingsPath, readFileSync(timingsPath, "utf8"));
      const stagesA = { ...timingsA.stages, total: timingsA.total };
      const augsal = { wall: wallA, work: workOfRunFolder(out, testCount), stages: stagesA };
      rmSync(out, { recursive: true, force: true }); // the folder this round made
      let torch: Round["torch"] = null;
      if (!skip) {
        t0 = performance.now();
        const rp = pinned("/usr/bin/python3", [script, dataDir, "--threads", String(a.threads), ...common]);
        const wallP = (performance.now() - t0) / 1000;
        if (rp.status !== 0) throw new Error(`torch_study.py failed (exit ${rp.status}): ${rp.stderr.trim()}`);
        const o = JSON.parse(rp.stdout.trim().split("\n").pop()!) as {
          seconds: Record<string, number>;
          total: number;
          work: { models: number; train_images: number; eval_images: number; maps: number };
        };
        torch = {
          wall: wallP,
          work: {
            models: o.work.models,
            trainImages: o.work.train_images,
            evalImages: o.work.eval_images,
            maps: o.work.maps,
          },
          stages: { ...o.seconds, total: o.total },
        };
      }
      rounds.push({
        round: r,
        augsal,
        torch,
        ratio: torch ? augsal.wall / torch.wall : null,
        loadavg: [+load0.toFixed(2), +os.loadavg()[0].toFixed(2)],
      });
      if (!a.json)
        console.error(
          `round ${r}/${a.rounds}: augsal ${wallA.toFixed(1)} s` +
            (torch ? `, PyTorch ${torch.wall.toFixed(1)} s` : ""),
        );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true }); // made by mkdtempSync above
  }

  // The counts: configured, augsal's run folders, torch_study.py's report; every round must agree.
  const keys = ["models", "trainImages", "evalImages", "maps"] as const;
  const disagreements: string[] = [];
  for (const r of rounds) {
    for (const k of keys) {
      if (r.augsal.work[k] !== expected[k])
        disagreements.push(`round ${r.round}: augsal's ${k} ${r.augsal.work[k]}, configured ${expected[k]}`);
      if (r.torch && r.torch.work[k] !== expected[k])
        disagreements.push(`round ${r.round}: PyTorch's ${k} ${r.torch.work[k]}, configured ${expected[k]}`);
    }
  }
  let peer: unknown = null;
  let trainRatio: number | null = null;
  if (a.peerRatio && !skip) {
    // bench:peer's own rounds (default 3), interleaved inside it, pinned like the studies
    const p = pinned(process.execPath, [
      join(ROOT, "build/ts/bench/peer.js"),
      "--json",
      "--threads",
      String(a.threads),
    ]);
    if (p.status !== 0) throw new Error(`bench/peer.js failed (exit ${p.status}): ${p.stderr.trim()}`);
    peer = JSON.parse(p.stdout);
    const row = (peer as { rows: { ratios?: Record<string, { median: number }> }[] }).rows[0];
    trainRatio = row.ratios?.train_b110_img_s.median ?? null;
  }
  const med = (f: (r: Round) => number) => median(rounds.map(f));
  const summary = {
    augsal: med((r) => r.augsal.wall),
    torch: skip ? null : med((r) => r.torch!.wall),
    ratio: skip ? null : med((r) => r.ratio!),
    ratioMin: skip ? null : Math.min(...rounds.map((r) => r.ratio!)),
    ratioMax: skip ? null : Math.max(...rounds.map((r) => r.ratio!)),
  };
  const command = `npm run bench:study -- ${argv.join(" ")}`.trim();
  if (a.json) {
    console.log(
      JSON.stringify(
        {
          command,
          threads: a.threads,
          quick: a.quick,
          skip: skip || undefined,
          expected,
          work,
          rounds,
          summary,
          agree: disagreements.length === 0,
          disagreements,
          trainThroughputRatio: trainRatio,
          peer,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`${command}  (${new Date().toISOString()}, ${a.threads} cores/threads each side)\n`);
    console.log(`| round | augsal (s) | PyTorch (s) | ratio augsal / PyTorch | loadavg before -> after |`);
    console.log(`|---|---:|---:|---:|---|`);
    for (const r of rounds)
      console.log(
        `| ${r.round} | ${r.augsal.wall.toFixed(1)} | ${r.torch ? r.torch.wall.toFixed(1) : "–"} | ` +
          `${r.ratio === null ? "–" : r.ratio.toFixed(2)} | ${r.loadavg[0]} -> ${r.loadavg[1]} |`,
      );
    const pt = summary.torch === null ? "–" : `**${summary.torch.toFixed(1)}**`;
    const ratio =
      summary.ratio === null
        ? "–"
        : `**${summary.ratio.toFixed(2)}** (${summary.ratioMin!.toFixed(2)}–${summary.ratioMax!.toFixed(2)})`;
    console.log(`| **median** | **${summary.augsal.toFixed(1)}** | ${pt} | ${ratio} | |`);
    const stageLine = (name: string, pick: (r: Round) => Record<string, number> | undefined) => {
      const names = Object.keys(pick(rounds[0]) ?? {});
      return `${name}: ${names.map((k) => `${k} ${med((r) => pick(r)![k]).toFixed(1)}`).join(", ")} (s, medians)`;
    };
    console.log(`\n${stageLine("augsal stages (timings.json)", (r) => r.augsal.stages)}`);
    if (!skip) console.log(stageLine("PyTorch stages", (r) => r.torch?.stages));
    console.log(`\nThe work (${config.data}, ${config.arch}${a.quick ? ", --quick" : ""}):`);
    console.log(`| | models | training images | evaluation images | maps |`);
    console.log(`|---|---:|---:|---:|---:|`);
    const line = (n: string, w: WorkCounts) =>
      console.log(`| ${n} | ${w.models} | ${w.trainImages} | ${w.evalImages} | ${w.maps} |`);
    line("configured", expected);
    line("augsal (its run folder)", rounds[0].augsal.work);
    if (rounds[0].torch) line("PyTorch (torch_study.py)", rounds[0].torch.work);
    console.log(disagreements.length ? `\nCOUNTS DISAGREE:\n${disagreements.join("\n")}` : `\ncounts agree`);
    if (trainRatio !== null)
      console.log(
        `training throughput ratio augsal / PyTorch at ${a.threads} threads ` +
          `(bench:peer, median): ${trainRatio.toFixed(2)}x`,
      );
    if (skip) console.log(`\nPyTorch skipped: ${skip}`);
    else console.log(`target: the study's wall-time ratio <= 0.6 (issue 15)`);
  }
  if (disagreements.length) process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
