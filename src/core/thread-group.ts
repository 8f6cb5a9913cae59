// The threaded runner of src/core/parallel.ts's protocol, runtime-neutral: the coordinating thread's
// side (SharedThreads: publish a round, claim like any helper, wait for the round to finish) and a
// helper thread's loop (helperLoop). Node (src/node/threads.ts, worker_threads) and the browser page
// (src/web/threads.ts, Web Workers) only say how a helper thread is started; the control block, the
// claims and the waits are these, in both. It needs Atomics.wait, so the coordinating thread must be
// allowed to block: Node's main thread or a worker, never a browser's main thread.
//
// A run encodes its tasks once into the control block in the shared wasm memory, publishes them with
// the claim word, bumps the generation word to wake the helpers, and claims tasks itself like any
// helper; it returns when every task is finished (Atomics on the control block's header: no messages,
// so a run costs a few microseconds). It does not wait for a helper that wakes too late to claim
// anything (or has not started yet): the claim word's generation keeps such a helper out of every later
// round, and the coordinating thread alone can finish every round.
// Results do not depend on the thread count (src/core/parallel.ts says why).
import type { CoreExports } from "./abi.js";
import { wrapInstance, type Core } from "./load.js";
import {
  CTL,
  bindKernels,
  claim,
  claimWord,
  controlBytes,
  encodeTasks,
  runDirect,
  runEncodedTask,
} from "./parallel.js";
import type { Parallel, Task } from "./parallel.js";

/** Spins on the finished counter before sleeping in Atomics.wait (a task takes 0.05 - 5 ms). */
const SPINS = 2000;
/** A helper's spins on the generation word before sleeping (the next run often follows within µs). */
const HELPER_SPINS = 20000;

/** What a started helper thread gives back: a way to end it. */
export interface Helper {
  terminate(): unknown;
}

/** Starts helper thread `part` (1, 2, ...): it must run helperLoop over the same memory and ctl. */
export type SpawnHelper = (part: number) => Helper;

/** A thread group over one shared memory; see the top of the file. */
export class SharedThreads implements Parallel {
  readonly maxThreads: number;
  private current: number;
  private readonly helpers: Helper[] = [];
  private readonly head: Int32Array;
  private readonly claimWord: BigUint64Array;
  private readonly region: Float64Array;
  private readonly fns: ((...a: number[]) => unknown)[];
  private readonly delays: readonly number[];
  private closed = false;
  /** Tasks run so far, and how many of them the calling thread ran (tests check an unbalanced claim). */
  readonly stats = { tasks: 0, callerTasks: 0 };

  constructor(
    private readonly spawnHelper: SpawnHelper,
    memory: WebAssembly.Memory,
    ex: CoreExports,
    readonly ctl: number,
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

  /** Start helpers until `n - 1` run (they start on the first run that needs them otherwise; a browser
   *  starts a worker only once its creator returns to its event loop, so the page starts them first). */
  start(n: number = this.current): void {
    if (this.closed) throw new Error("threads: the thread group is closed");
    while (this.helpers.length < Math.min(n, this.maxThreads) - 1) {
      this.helpers.push(this.spawnHelper(this.helpers.length + 1));
    }
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
    this.start(active);
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
      this.close(); // helpers may still be running tasks of this round: never reuse the group
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
    for (const w of this.helpers) void w.terminate();
  }
}

/** What a helper thread needs to join a group: it instantiates `module` over `memory` and runs helperLoop
 *  as thread `part` on the control block at `ctl`. */
export interface HelperStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
}

export interface ThreadedCoreOptions {
  /** The compiled threaded module (build/augsal-mt.wasm: it imports its memory as env.memory). */
  module: WebAssembly.Module;
  /** The shared memory's initial and maximum size in 64 KiB pages. */
  pages: { initial: number; maximum: number };
  /** The most threads the core will use (scratch is sized for it). */
  maxThreads: number;
  /** Threads to use from the start (default maxThreads). */
  threads?: number;
  /** A shared word capping the threads, re-read at every refresh() (SharedThreads). */
  allowance?: Int32Array;
  /** For tests: per-thread claim delays in milliseconds (SharedThreads, helperLoop). */
  claimDelays?: readonly number[];
  /** Starts one helper thread (Node: a worker_threads Worker; the web, Deno, Bun: a Web Worker). */
  startHelper: (h: HelperStart) => Helper;
}

/**
 * A core on the threaded module over a new shared memory, with a thread group whose helpers
 * `startHelper` starts (on the first run that needs them, or at `core.parallel.start()`).
 * Instantiates synchronously: the coordinating thread is never a browser's main thread (see the top).
 * Close it with `core.parallel.close()`.
 */
export function threadedCore(o: ThreadedCoreOptions): Core & { parallel: SharedThreads } {
  const { module, maxThreads } = o;
  const memory = new WebAssembly.Memory({ ...o.pages, shared: true });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as unknown as CoreExports;
  const core = wrapInstance(ex);
  const ctl = core.arena.allocF32(controlBytes() / 4);
  const spawn = (part: number) => o.startHelper({ module, memory, ctl, part });
  const group = new SharedThreads(
    spawn,
    memory,
    ex,
    ctl,
    maxThreads,
    o.threads ?? maxThreads,
    o.allowance,
    o.claimDelays,
  );
  core.parallel = group;
  return core as Core & { parallel: SharedThreads };
}

export interface HelperOptions {
  /** The threaded module's instance exports over the shared memory (this thread's own instance). */
  exports: CoreExports;
  memory: WebAssembly.Memory;
  /** Byte offset of the control block (SharedThreads.ctl). */
  ctl: number;
  /** This thread's number (1, 2, ...: its scratch is base + part * stride). */
  part: number;
  /** For tests: milliseconds to wait after every wake-up before claiming (src/node/threads.ts). */
  delay?: number;
  /** Told about a task that threw (the coordinating thread then fails the run). */
  onError?: (e: unknown) => void;
}

/** A helper thread's life: in every generation claim tasks of the control block and run them as thread
 *  `part` until none is left; sleep in Atomics.wait on the generation word between runs; return on STOP.
 *  It never needs a message, so it blocks its thread until the group closes. */
export function helperLoop(o: HelperOptions): void {
  const { memory, ctl, part, delay = 0 } = o;
  const head = new Int32Array(memory.buffer, ctl, CTL.HEADER_BYTES / 4);
  const word = new BigUint64Array(memory.buffer, ctl + CTL.CLAIM_BYTE, 1);
  const region = new Float64Array(memory.buffer, ctl + CTL.HEADER_BYTES, CTL.TASK_BYTES / 8);
  const fns = bindKernels(o.exports);
  const nap = new Int32Array(new SharedArrayBuffer(4));
  let seen = 0;
  for (;;) {
    let spins = 0;
    while (Atomics.load(head, CTL.GEN) === seen) {
      if (++spins > HELPER_SPINS) Atomics.wait(head, CTL.GEN, seen);
    }
    seen = Atomics.load(head, CTL.GEN);
    if (Atomics.load(head, CTL.STOP)) break;
    // a stale ACTIVE (a later round's) only changes whether this thread helps: any subset of threads
    // claiming gives the same tasks the same bits
    if (part >= Atomics.load(head, CTL.ACTIVE)) continue;
    if (delay) Atomics.wait(nap, 0, 0, delay);
    let done = 0;
    try {
      for (let t = claim(word, seen); t >= 0; t = claim(word, seen)) {
        done++; // counted even if it throws, so the caller stops waiting and reports the error
        runEncodedTask(region, t, part, fns);
      }
    } catch (e) {
      o.onError?.(e);
      Atomics.store(head, CTL.ERROR, part);
    }
    if (done) {
      Atomics.add(head, CTL.FINISHED, done);
      Atomics.notify(head, CTL.FINISHED);
    }
  }
}
