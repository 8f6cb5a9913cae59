import { suite } from "uvu";
import * as assert from "uvu/assert";
import { runTraining as runPool } from "../../src/study/training.js";
import { wasmModule } from "../../src/node/wasm.js";
import { wasmMtModule } from "../../src/node/threads.js";
import { DEFAULT_CONFIG, type Job, type StudyConfig } from "../../src/study/config.js";
import type { JobResult, StudyData } from "../../src/study/job.js";

const pool = suite("study/training");

/** 20 training, 10 validation and 10 test images of two classes: enough for a one-step job. */
function tinyData(): StudyData {
  const img = (n: number, seed: number) =>
    Uint8Array.from({ length: n * 784 }, (_, i) => ((i * 2654435761 + seed) >>> 24) & 255);
  const lab = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 2);
  return {
    rows: 28,
    cols: 28,
    train: { images: img(20, 1), labels: lab(20), source: Int32Array.from({ length: 20 }, (_, i) => i) },
    val: { images: img(10, 2), labels: lab(10) },
    test: { images: img(10, 3), labels: lab(10) },
  };
}
const config: StudyConfig = { ...DEFAULT_CONFIG, epochs: 1, steps: 2, copies: 1, aug: ["blur"] };
const job = (id: string, set: string, trainSeed = 0): Job => ({
  id,
  model: set as Job["model"],
  set: set as Job["set"],
  trainSeed,
  run: 0,
  initVariant: 0,
  orderVariant: 0,
});

pool("every job is done once, on as many workers as asked, whatever the order", async () => {
  const done: JobResult[] = [];
  const jobs = [job("orig-seed0", "orig"), job("blur-seed0", "blur"), job("orig-seed1", "orig", 1)];
  await runPool(jobs, { workers: 2, module: wasmModule(), data: tinyData(), config, onDone: (r) => done.push(r) });
  assert.equal(done.map((r) => r.job.id).sort(), ["blur-seed0", "orig-seed0", "orig-seed1"]);
  const blur = done.find((r) => r.job.id === "blur-seed0")!;
  assert.is(blur.trainSize, 40, "20 originals + 1 copy each");
  assert.is(blur.history.epochLoss.length, 1);
});

pool(
  "jobs on 2 cores with up to 2 threads each (threads granted as jobs finish) = 1 worker, 1 thread, bit for bit",
  async () => {
    // 3 jobs on 2 cores: two start with one thread each; when the first ends with the queue holding one
    // job, that job starts on the free core; the last job running gets both cores mid-run.
    const jobs = [job("blur-seed0", "blur"), job("orig-seed0", "orig"), job("orig-seed1", "orig", 1)];
    const cfg: StudyConfig = { ...config, epochs: 2, steps: 3 };
    const serial = new Map<string, JobResult>();
    await runPool(jobs, {
      workers: 1,
      maxThreads: 1,
      module: wasmModule(),
      data: tinyData(),
      config: cfg,
      onDone: (r) => serial.set(r.job.id, r),
    });
    const threaded = new Map<string, JobResult>();
    await runPool(jobs, {
      workers: 2,
      maxThreads: 2,
      module: wasmModule(),
      mtModule: wasmMtModule(),
      data: tinyData(),
      config: cfg,
      onDone: (r) => threaded.set(r.job.id, r),
    });
    for (const j of jobs) {
      const a = serial.get(j.id)!,
        b = threaded.get(j.id)!;
      assert.equal(Buffer.from(b.best.buffer), Buffer.from(a.best.buffer), `${j.id}: best weights`);
      assert.equal(b.history, a.history, `${j.id}: history`);
    }
  },
);

pool("a job that throws stops the pool with an error naming it (no hang)", async () => {
  const done: string[] = [];
  const t0 = performance.now();
  try {
    await runPool([job("bogus-seed0", "bogus"), job("orig-seed0", "orig")], {
      workers: 1,
      module: wasmModule(),
      data: tinyData(),
      config,
      onDone: (r) => done.push(r.job.id),
    });
    assert.unreachable("the pool should have failed");
  } catch (e) {
    assert.match((e as Error).message, /training job bogus-seed0 failed: /);
  }
  assert.equal(done, [], "the job after the failed one never reported");
  assert.ok(performance.now() - t0 < 20000);
});

pool("an error thrown while saving a result stops the pool too", async () => {
  try {
    await runPool([job("orig-seed0", "orig")], {
      workers: 1,
      module: wasmModule(),
      data: tinyData(),
      config,
      onDone: () => {
        throw new Error("disk full");
      },
    });
    assert.unreachable("the pool should have failed");
  } catch (e) {
    assert.match((e as Error).message, /disk full/);
  }
});

pool.run();
