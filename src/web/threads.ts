// A core on the threaded module with N threads over one shared memory, where threads are Web Workers:
// the page's engine worker (./engine-worker.ts), and Deno and Bun (src/portable-main.ts). The calling
// thread coordinates (src/core/thread-group.ts: it must be allowed to Atomics.wait, so not a browser's
// main thread); threads - 1 helpers (./thread-worker.ts) run on the same memory and module.
import type { Core } from "../core/load.js";
import { threadedCore, type HelperStart, type SharedThreads } from "../core/thread-group.js";

/** Start helper `part`; `ready` resolves once it runs (a worker starts only when its creator is idle). */
function startHelper({ module, memory, ctl, part }: HelperStart): { worker: Worker; ready: Promise<void> } {
  const worker = new Worker(new URL("./thread-worker.js", import.meta.url), { type: "module", name: `augsal-${part}` });
  const ready = new Promise<void>((ok, fail) => {
    worker.onmessage = (e: MessageEvent) => {
      const m = e.data as { type: string; message?: string };
      if (m.type === "ready") ok();
      else fail(new Error(`helper thread ${part}: ${m.message}`));
    };
    worker.onerror = (e) => fail(new Error(`helper thread ${part}: ${e.message || "failed to start"}`));
  });
  worker.postMessage({ module, memory, ctl, part });
  return { worker, ready };
}

/**
 * Instantiate the threaded module over a new shared memory (`pages` initial and maximum 64 KiB pages) and
 * start its threads - 1 helpers; resolves once every helper runs. Close with `core.parallel.close()`.
 */
export async function startThreadedCore(
  module: WebAssembly.Module,
  threads: number,
  pages: { initial: number; maximum: number },
): Promise<Core & { parallel: SharedThreads }> {
  const starting: Promise<void>[] = [];
  const core = threadedCore({
    module,
    pages,
    maxThreads: threads,
    startHelper: (h) => {
      const { worker, ready } = startHelper(h);
      starting.push(ready);
      return worker;
    },
  });
  const group = core.parallel;
  group.start();
  try {
    await Promise.all(starting);
  } catch (e) {
    group.close();
    throw e;
  }
  return core;
}
