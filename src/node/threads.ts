// Several threads on one model (Node): build/augsal-mt.wasm (the same kernel sources as augsal.wasm,
// compiled with threads, importing a shared memory) instantiated on the calling thread and on
// threads - 1 worker threads (./thread-worker.ts) over ONE WebAssembly.Memory. The setup and how a run
// is shared (control block, claims, waits) are src/core/thread-group.ts's, the same for the browser page:
// this file only says how a helper starts.
// Results do not depend on the thread count (src/core/parallel.ts says why).
import { Worker } from "node:worker_threads";
import { availableParallelism } from "node:os";
import { readFileSync } from "node:fs";
import { resolve, dirname } from "node:path";
import type { Core } from "../core/load.js";
import { threadedCore, type SharedThreads } from "../core/thread-group.js";
import { wasmPath } from "./wasm.js";

/** Pages of the shared memory: 1 MiB initial, 1 GiB at most (a study job uses well under 100 MB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 16384;

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

/**
 * A core on the threaded module with its own shared memory and a thread group whose helpers are worker
 * threads (./thread-worker.ts; they start on the first run that needs them). Close it with
 * `core.parallel.close()`.
 */
export function loadThreadedCore(opts: ThreadOptions = {}): Core & { parallel: SharedThreads } {
  const maxThreads = opts.maxThreads ?? cores();
  if (!Number.isInteger(maxThreads) || maxThreads < 1 || maxThreads > 256)
    throw new RangeError(`threads: must be from 1 to 256, got ${maxThreads}`);
  const delays = opts.claimDelays ?? [];
  return threadedCore({
    module: opts.module ?? wasmMtModule(),
    pages: { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES },
    maxThreads,
    threads: opts.threads,
    allowance: opts.allowance,
    claimDelays: delays,
    startHelper: ({ module, memory, ctl, part }) => {
      const w = new Worker(new URL("./thread-worker.js", import.meta.url), {
        workerData: { module, memory, ctl, part, delay: delays[part] ?? 0 },
      });
      w.unref();
      return w;
    },
  });
}
