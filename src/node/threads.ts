// Several threads on one model (Node): build/augsal-mt.wasm (the same kernel sources as augsal.wasm,
// compiled with threads, importing a shared memory) instantiated on the calling thread and on
// threads - 1 worker threads (./thread-worker.ts) over ONE WebAssembly.Memory. A run encodes its tasks
// (src/core/parallel.ts) once into a control block in that memory, publishes them with the claim word,
// bumps the generation word to wake the workers, and claims tasks itself like any worker; it returns
// when every task is finished (Atomics on the control block's header: no messages, so a run costs a few
// microseconds). It does not wait for a worker that wakes too late to claim anything: the claim word's
// generation keeps such a worker out of every later round.
// Results do not depend on the thread count (src/core/parallel.ts says why).
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import type { CoreExports } from "../core/abi.js";
import { wrapInstance, type Core } from "../core/load.js";
import {
  CTL,
  bindKernels,
  claim,
  claimWord,
  controlBytes,
  encodeTasks,
  runDirect,
  runEncodedTask,
  type Parallel,
  type Task,
} from "../core/parallel.js";
import { wasmPath } from "./wasm.js";

/** Pages of the shared memory: 1 MiB initial, 1 GiB at most (a study job uses well under 100 MB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 16384;
/** Spins on the finished counter before sleeping in Atomics.wait (a task takes 0.05 - 5 ms). */
const SPINS = 2000;

/** Path of the threaded core: $AUGSAL_WASM_MT, else augsal-mt.wasm beside augsal.wasm. */
export function wasmMtPath(): string {
  return process.env.AUGSAL_WASM_MT
    ? resolve(process.env.AUGSAL_WASM_MT)
    : resolve(dirname(wasmPath()), "augsal-mt.wasm");
}

let cachedMt: WebAssembly.Module | undefined;

/** The compiled threaded module (once per thread; shareable with workers via postMessage). */
export function wasmMtModule(): WebAssembly.Module {
  if (!cachedMt) {
    const path = wasmMtPath();
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new Error(
        `augsal: cannot read the threaded wasm core at ${path} (run 'npm run build'): ${(e as Error).message}`,
      );
    }
    cachedMt = new WebAssembly.Module(bytes);
  }
  return cachedMt;
}

/** The cores this process may use for threads (os.availableParallelism). */
export function cores(): number {
  return availableParallelism();
}

export interface ThreadOptions {
  /** The most threads the core will use (scratch is sized for it); default: the machine's cores. */
  maxThreads?: number;
  /** Threads to use from the start (default maxThreads). */
  threads?: number;
  /** A shared word whose value caps the threads: the study's scheduler raises it when cores free up.
   *  Read at every `refresh()`. */
  allowance?: Int32Array;
  /** The compiled threaded module (default: build/augsal-mt.wasm). */
  module?: WebAssembly.Module;
  /** For tests: milliseconds thread p (0: the caller) waits after a round starts before it claims, to
   *  force an unbalanced claim (the bytes must not change). */
  claimDelays?: readonly number[];
}

/** A thread group over one shared memory; see the top of the file. */
export class ThreadGroup implements Parallel {
  readonly maxThreads: number;
  private current: number;
  private readonly workers: Worker[] = [];
  private readonly head: Int32Array;
  private readonly claimWord: BigUint64Array;
  private readonly region: Float64Array;
  private readonly fns: ((...a: number[]) => unknown)[];
  private readonly delays: readonly number[];
  private closed = false;
  /** Tasks run so far, and how many of them the calling thread ran (tests check an unbalanced claim). */
  readonly stats = { tasks: 0, callerTasks: 0 };

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    ex: CoreExports,
    private readonly ctl: number,
    maxThreads: number,
    threads: number,
    private readonly allowance?: Int32Array,
    delays: readonly number[] = [],
  ) {
    this.maxThreads = maxThreads;
    this.current = Math.max(1, Math.min(threads, maxThreads));
    this.head = new Int32Array(memory.buffer, ctl, CTL.HEADER_BYTES / 4);
    this.claimWord = new BigUint64Array(memory.buffer, ctl + CTL.CLAIM_BYTE, 1);
    this.region = new Float64Array(memory.buffer, ctl + CTL.HEADER_BYTES, CTL.TASK_BYTES / 8);
    this.fns = bindKernels(ex);
    this.delays = delays;
    this.refresh();
  }

  get threads(): number {
    return this.current;
  }

  /** Use `n` threads from the next run on (1..maxThreads; results do not change). */
  setThreads(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`threads: must be a positive integer, got ${n}`);
    this.current = Math.min(n, this.maxThreads);
  }

  /** Re-read the allowance word (the study's scheduler may have granted more cores). */
  refresh(): void {
    if (this.allowance) this.current = Math.max(1, Math.min(this.maxThreads, Atomics.load(this.allowance, 0)));
  }

  private spawn(): void {
    const part = this.workers.length + 1;
    const w = new Worker(new URL("./thread-worker.js", import.meta.url), {
      workerData: { module: this.module, memory: this.memory, ctl: this.ctl, part, delay: this.delays[part] ?? 0 },
    });
    w.unref();
    this.workers.push(w);
  }

  run(tasks: readonly Task[]): void {
    if (this.closed) throw new Error("threads: the thread group is closed");
    const active = this.current;
    this.stats.tasks += tasks.length;
    if (tasks.length <= 1 || active <= 1) {
      // no other thread needs to wake (the calls are the same either way)
      this.stats.callerTasks += tasks.length;
      runDirect(tasks, this.fns, 0);
      return;
    }
    while (this.workers.length < active - 1) this.spawn();
    // rounds until every task is through (one round unless the tasks overflow the region)
    for (let from = 0; from < tasks.length;) {
      const to = encodeTasks(this.region, tasks, from);
      this.round(to - from, active);
      from = to;
    }
  }

  /** One generation: publish `count` encoded tasks to `active` threads, claim tasks here until none
   *  is left, then wait until every claimed task is finished. */
  private round(count: number, active: number): void {
    const h = this.head;
    const gen = (Atomics.load(h, CTL.GEN) + 1) | 0;
    Atomics.store(h, CTL.FINISHED, 0);
    Atomics.store(h, CTL.ACTIVE, active);
    Atomics.store(this.claimWord, 0, claimWord(gen, count)); // after the region: a claim sees it written
    Atomics.store(h, CTL.GEN, gen);
    Atomics.notify(h, CTL.GEN);
    if (this.delays[0]) Atomics.wait(h, CTL.STOP, 0, this.delays[0]);
    let mine = 0;
    try {
      for (let t = claim(this.claimWord, gen); t >= 0; t = claim(this.claimWord, gen)) {
        runEncodedTask(this.region, t, 0, this.fns);
        mine++;
      }
    } catch (e) {
      this.close(); // workers may still be running tasks of this round: never reuse the group
      throw e;
    }
    this.stats.callerTasks += mine;
    if (mine) Atomics.add(h, CTL.FINISHED, mine);
    let spins = 0;
    const t0 = Date.now();
    for (;;) {
      const done = Atomics.load(h, CTL.FINISHED);
      if (done >= count || Atomics.load(h, CTL.ERROR)) break;
      if (++spins < SPINS) continue;
      Atomics.wait(h, CTL.FINISHED, done, 1000);
      if (Date.now() - t0 > 120_000) throw new Error("threads: a worker thread did not answer for 2 minutes");
    }
    const err = Atomics.load(h, CTL.ERROR);
    if (err) {
      this.close();
      throw new Error(`threads: worker thread ${err} failed (see its stderr)`);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.head, CTL.STOP, 1);
    Atomics.add(this.head, CTL.GEN, 1);
    Atomics.notify(this.head, CTL.GEN);
    for (const w of this.workers) void w.terminate();
  }
}

/**
 * A core on the threaded module with its own shared memory and a thread group (workers start on the
 * first run that needs them). Close it with `core.parallel.close()`.
 */
export function loadThreadedCore(opts: ThreadOptions = {}): Core & { parallel: ThreadGroup } {
  const maxThreads = opts.maxThreads ?? cores();
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 256)
    throw new RangeError(`threads: must be from 1 to 256, got ${maxThreads}`);
  const module = opts.module ?? wasmMtModule();
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as CoreExports;
  const core = wrapInstance(ex);
  const ctl = core.arena.allocF32(controlBytes() / 4);
  const threads = opts.threads ?? maxThreads;
  const group = new ThreadGroup(module, memory, ex, ctl, maxThreads, threads, opts.allowance, opts.claimDelays);
  core.parallel = group;
  return core as Core & { parallel: ThreadGroup };
}
