// `npm run bench:study`: the work the default study contains, and what it costs each side at the
// throughputs measured side by side (issue 15: "report the study's wall time, and the work it contains
// (models, training images, evaluation images), next to the measured ratio of its training throughput").
//
// The work is counted from the configuration exactly as the study runs it (src/study/config.ts
// studyJobs; src/nn/train.ts trainModel): per job, epochs x steps x batch training images (batch =
// set size / steps), a validation pass after every epoch, one test pass with the best weights. The
// costs come from ONE run of `bench/peer.ts --json` (augsal and PyTorch interleaved, at the given
// threads): training images at the train-step b110 rate, evaluation images at the inference b1000
// rate. That is an estimate of the training stage only (the Orig-sized jobs train at batch 10, where
// per-step overheads weigh more on both sides; saliency, trust and report are not counted; the pool
// runs jobs side by side, the estimate assumes every job gets the threads): it is labelled so. A full
// PyTorch re-implementation of the study is not part of it.
//   npm run bench:study [-- --threads 2] [--json] [--work-only]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import * as os from "node:os";
import { DEFAULT_CONFIG, studyJobs, type StudyConfig } from "../src/study/config.js";
import { loadDataset } from "../src/node/datasets.js";

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

/** The work of a study configuration on a data set of `classes` classes and `testCount` test images. */
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

type Figures = Record<string, number>;

function main(argv: string[]): void {
  const at = argv.indexOf("--threads");
  const threads = at >= 0 ? Number(argv[at + 1]) : 2;
  if (!Number.isInteger(threads) || threads < 1) {
    console.error(`bench:study: --threads takes a positive integer, got ${argv[at + 1]}`);
    process.exit(2);
  }
  const ds = loadDataset(DEFAULT_CONFIG.data);
  const work = studyWork(DEFAULT_CONFIG, ds.classes, ds.test.labels.length);
  if (argv.includes("--work-only")) {
    console.log(JSON.stringify(work, null, 2));
    return;
  }
  const peer = join(dirname(fileURLToPath(import.meta.url)), "peer.js");
  const load0 = os.loadavg()[0].toFixed(2);
  const r = spawnSync(process.execPath, [peer, "--json", "--threads", String(threads)], { encoding: "utf8" });
  if (r.status !== 0) {
    console.error(`bench:study: ${peer} failed (exit ${r.status}): ${r.stderr.trim()}`);
    process.exit(1);
  }
  const load1 = os.loadavg()[0].toFixed(2);
  const res = JSON.parse(r.stdout) as {
    skip?: string;
    rows: { threads: number; augsal: Figures; torch: Figures | string }[];
  };
  const row = res.rows[0];
  const cost = (f: Figures) => {
    const train = work.trainImages / f.train_b110_img_s,
      evals = work.evalImages / f.infer_b1000_img_s;
    return { train, evals, total: train + evals };
  };
  const a = cost(row.augsal);
  const p = typeof row.torch === "string" ? null : cost(row.torch);
  const command = `node build/ts/bench/study-work.js ${argv.join(" ")}`.trim();
  if (argv.includes("--json")) {
    console.log(JSON.stringify({ command, threads, work, augsal: a, torch: p ?? row.torch, peer: row }, null, 2));
    return;
  }
  console.log(`${command}  (${new Date().toISOString()}, loadavg ${load0} -> ${load1})\n`);
  console.log(
    `The default study's work (${DEFAULT_CONFIG.data}, ${DEFAULT_CONFIG.arch}, counted from its configuration):`,
  );
  console.log(`| job | set size | batch | training images | evaluation images |`);
  console.log(`|---|---:|---:|---:|---:|`);
  for (const j of work.perJob)
    console.log(`| ${j.id} | ${j.setSize} | ${j.batch} | ${j.trainImages} | ${j.evalImages} |`);
  console.log(`| **${work.jobs} models** | | | **${work.trainImages}** | **${work.evalImages}** |`);
  console.log(`\nplus ${work.maps} saliency maps of the query images (their cost is not estimated here)\n`);
  const fmt = (x: number) => x.toFixed(1);
  console.log(`Training stage at the throughputs of one side-by-side peer run, ${threads} thread(s) (an ESTIMATE):`);
  console.log(`| | train step b110 (img/s) | inference b1000 (img/s) | training (s) | evaluation (s) | total (s) |`);
  console.log(`|---|---:|---:|---:|---:|---:|`);
  const line = (name: string, f: Figures, c: ReturnType<typeof cost>) =>
    console.log(
      `| ${name} | ${f.train_b110_img_s.toFixed(0)} | ${f.infer_b1000_img_s.toFixed(0)} | ${fmt(c.train)} | ` +
        `${fmt(c.evals)} | ${fmt(c.total)} |`,
    );
  line("augsal", row.augsal, a);
  if (p) {
    line("PyTorch", row.torch as Figures, p);
    const tr = row.augsal.train_b110_img_s / (row.torch as Figures).train_b110_img_s;
    console.log(
      `\ntraining throughput ratio augsal / PyTorch: ${tr.toFixed(2)}x; estimated training-stage time ratio ` +
        `augsal / PyTorch: ${(a.total / p.total).toFixed(2)} (target for the whole study: <= 0.6)`,
    );
  } else console.log(`\nPyTorch skipped: ${row.torch}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
