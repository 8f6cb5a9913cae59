// Several threads on one model (Node): build/augsal-mt.wasm (the same kernel sources as augsal.wasm,
// compiled with threads, importing a shared memory) instantiated on the calling thread and on
// threads - 1 worker threads (./thread-worker.ts) over ONE WebAssembly.Memory. src/core/parallel.ts
// encodes each thread's piece (a list of kernel calls) into a control block in that memory; a run
// bumps the generation word, runs piece 0 itself, and waits until every worker has counted itself
// done (Atomics on the control block's header: no messages, so a run costs a few microseconds).
// Results do not depend on the thread count (src/core/parallel.ts says why).
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import type { CoreExports } from "../core/abi.js";
import { wrapInstance, type Core } from "../core/load.js";
import { CTL, controlBytes, encodePiece, runEncoded, bindKernels, type Call, type Parallel } from "../core/parallel.js";
import { wasmPath } from "./wasm.js";

/** Pages of the shared memory: 1 MiB initial, 1 GiB at most (a study job uses well under 100 MB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 16384;
/** Spins on the done counter before sleeping in Atomics.wait (a piece takes 0.1 - 10 ms). */
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
}

/** A thread group over one shared memory; see the top of the file. */
export class ThreadGroup implements Parallel {
  readonly maxThreads: number;
  private current: number;
  private readonly workers: Worker[] = [];
  private readonly head: Int32Array;
  private readonly regions: Float64Array[] = [];
  private readonly fns: ((...a: number[]) => unknown)[];
  private closed = false;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    ex: CoreExports,
    private readonly ctl: number,
    maxThreads: number,
    threads: number,
    private readonly allowance?: Int32Array,
  ) {
    this.maxThreads = maxThreads;
    this.current = Math.max(1, Math.min(threads, maxThreads));
    this.head = new Int32Array(memory.buffer, ctl, CTL.HEADER_BYTES / 4);
    for (let p = 0; p < maxThreads; p++) {
      this.regions.push(
        new Float64Array(memory.buffer, ctl + CTL.HEADER_BYTES + p * CTL.PIECE_BYTES, CTL.PIECE_BYTES / 8),
      );
    }
    this.fns = bindKernels(ex);
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
      workerData: { module: this.module, memory: this.memory, ctl: this.ctl, part },
    });
    w.unref();
    this.workers.push(w);
  }

  run(pieces: Call[][]): void {
    if (this.closed) throw new Error("threads: the thread group is closed");
    if (pieces.length > this.maxThreads)
      throw new RangeError(`threads: ${pieces.length} pieces for ${this.maxThreads} threads`);
    if (pieces.length <= 1) {
      // one piece: no other thread needs to wake (the calls are the same either way)
      for (const piece of pieces) {
        for (let from = 0; from < piece.length;) {
          from = encodePiece(this.regions[0], piece, from);
          runEncoded(this.regions[0], this.fns);
        }
      }
      return;
    }
    while (this.workers.length < pieces.length - 1) this.spawn();
    const n = this.workers.length;
    const from = new Array<number>(n + 1).fill(0);
    // rounds until every piece is through (one round unless a piece overflows its region)
    for (;;) {
      let left = false;
      for (let p = 0; p <= n; p++) {
        const piece = pieces[p] ?? [];
        from[p] = encodePiece(this.regions[p], piece, from[p]);
        if (from[p] < piece.length) left = true;
      }
      this.round(n);
      if (!left) break;
    }
  }

  /** One generation: wake the n workers, run region 0 here, wait until all n are done. */
  private round(n: number): void {
    const h = this.head;
    Atomics.store(h, CTL.DONE, 0);
    Atomics.add(h, CTL.GEN, 1);
    Atomics.notify(h, CTL.GEN);
    runEncoded(this.regions[0], this.fns);
    let spins = 0;
    const t0 = Date.now();
    for (;;) {
      const done = Atomics.load(h, CTL.DONE);
      if (done >= n) break;
      if (++spins < SPINS) continue;
      Atomics.wait(h, CTL.DONE, done, 1000);
      if (Atomics.load(h, CTL.ERROR)) break;
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
  const ctl = core.arena.allocF32(controlBytes(maxThreads) / 4);
  const group = new ThreadGroup(module, memory, ex, ctl, maxThreads, opts.threads ?? maxThreads, opts.allowance);
  core.parallel = group;
  return core as Core & { parallel: ThreadGroup };
}
