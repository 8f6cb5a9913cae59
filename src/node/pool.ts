// A pool of worker threads: jobs go to whichever worker is free; results come back as they finish.
// A job that throws stops the pool: every worker is terminated and the promise rejects naming the job,
// so a run never hangs and never writes half files (the caller writes each result atomically).
// What a job is and how it runs is the worker script's (a module that calls ./worker.ts's serveJobs;
// src/study/train-worker.ts for training), so this file knows nothing of the study.
import { Worker } from "node:worker_threads";

export interface PoolOptions<J extends { id: string }, R, P> {
  workers: number;
  /** Cores the jobs share (default `workers`): each running job has an allowance of threads, a word in
   *  a SharedArrayBuffer its worker reads (JobContext.allowance). A job starts with one thread while
   *  the queue holds at least as many jobs as there are free cores, else with its share of the free
   *  cores; when the queue is empty, the cores of every finished job go to the jobs still running, so
   *  no core idles through the tail. Jobs run in the order given (put the longest first). */
  cores?: number;
  /** The most threads one job may use (default `cores`). */
  maxThreads?: number;
  /** What the jobs are, for error messages ("training" → "training job X failed"). */
  name: string;
  /** The worker script: a module that calls serveJobs (./worker.ts). */
  script: URL;
  /** Sent once to every worker before its first job (structured clone: modules, typed arrays). */
  init: unknown;
  /** A job's progress messages, as its worker sends them. */
  onProgress?: (job: J, report: P) => void;
  /** Called once per finished job, in completion order (which may vary; results must not). */
  onDone: (result: R) => void;
  /** Called as a job is about to start; false skips it (e.g. another process holds it). */
  claim?: (job: J) => boolean;
}

/** The messages between pool and worker (./worker.ts sends what this file reads). */
export type ToWorker<J> =
  { type: "init"; init: unknown; slot: number; allowance: SharedArrayBuffer } | { type: "job"; job: J };
export type FromWorker<R, P> =
  | { type: "progress"; id: string; report: P }
  | { type: "done"; result: R }
  | { type: "error"; id: string; message: string; stack?: string };

export function runPool<J extends { id: string }, R, P>(jobs: J[], o: PoolOptions<J, R, P>): Promise<void> {
  if (jobs.length === 0) return Promise.resolve();
  const queue = [...jobs];
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const n = Math.max(1, Math.min(o.workers, jobs.length));
  const workers: Worker[] = [];
  let remaining = jobs.length;
  let failed = false;

  const cores = Math.max(1, o.cores ?? o.workers);
  const maxThreads = Math.max(1, Math.min(o.maxThreads ?? cores, cores));
  // allowance[i]: threads the job on worker i may use now (0 while it has none)
  const allowBuf = new SharedArrayBuffer(4 * n);
  const allow = new Int32Array(allowBuf);
  const running = new Set<number>();
  const granted = () => [...running].reduce((s, i) => s + Atomics.load(allow, i), 0);
  /** Hand the free cores to the running jobs, one at a time in slot order (only when nothing waits). */
  const redistribute = () => {
    let free = cores - granted();
    for (let more = true; free > 0 && more;) {
      more = false;
      for (const i of [...running].sort((a, b) => a - b)) {
        if (free > 0 && Atomics.load(allow, i) < maxThreads) {
          Atomics.add(allow, i, 1);
          free--;
          more = true;
        }
      }
    }
  };

  return new Promise<void>((resolve, reject) => {
    const stop = (err?: Error) => {
      if (failed) return;
      if (err) failed = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve();
    };
    const post = (w: Worker, msg: ToWorker<J>) => w.postMessage(msg);
    const next = (w: Worker, i: number) => {
      let job = queue.shift();
      while (job && o.claim && !o.claim(job)) {
        remaining--;
        job = queue.shift();
      }
      if (remaining === 0) return stop();
      if (!job) {
        running.delete(i);
        Atomics.store(allow, i, 0);
        redistribute();
        return;
      }
      running.add(i);
      Atomics.store(allow, i, 0);
      const free = Math.max(1, cores - granted());
      Atomics.store(allow, i, Math.min(maxThreads, Math.max(1, Math.floor(free / (queue.length + 1)))));
      post(w, { type: "job", job });
    };
    for (let i = 0; i < n; i++) {
      const w = new Worker(o.script);
      workers.push(w);
      w.on("message", (msg: FromWorker<R, P>) => {
        if (failed) return;
        if (msg.type === "progress") {
          o.onProgress?.(byId.get(msg.id)!, msg.report);
        } else if (msg.type === "done") {
          try {
            o.onDone(msg.result);
          } catch (e) {
            stop(e as Error);
            return;
          }
          remaining--;
          if (remaining === 0) stop();
          else next(w, i);
        } else if (msg.type === "error") {
          stop(new Error(`${o.name} job ${msg.id} failed: ${msg.message}`));
        }
      });
      w.on("error", (e) => stop(new Error(`a ${o.name} worker crashed: ${e.message}`)));
      w.on("exit", (code) => {
        if (!failed && remaining > 0 && code !== 0) stop(new Error(`a ${o.name} worker exited with code ${code}`));
      });
      post(w, { type: "init", init: o.init, slot: i, allowance: allowBuf });
      next(w, i);
    }
  });
}
