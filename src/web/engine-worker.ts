// The page's threaded engine (./live.ts starts it when the page is cross-origin isolated): a dedicated
// Web Worker that is the coordinating thread of src/core/thread-group.ts, because the coordinating
// thread waits with Atomics.wait, which a browser's main thread may not. It instantiates the threaded
// module (build/augsal-mt.wasm, the same kernel sources as augsal.wasm) over one shared
// WebAssembly.Memory, starts threads - 1 helper workers (./thread-worker.ts) on the same memory and
// module, loads the run's models and answers the page's requests with ./engine.ts's predictAll: the same
// code as the single-thread page, only core.parallel differs (and no value depends on it: see
// src/core/parallel.ts).
import type { Core } from "../core/load.js";
import type { SharedThreads } from "../core/thread-group.js";
import { runPortableCheck } from "../portable.js";
import { loadModels, predictAll, type ModelEntry } from "./engine.js";
import type { EngineReply, EngineRequest } from "./live.js";
import { startThreadedCore } from "./threads.js";

/** Pages of the shared memory: 1 MiB initial, 256 MiB at most (the page's six models need a few MB). */
const INITIAL_PAGES = 16;
const MAXIMUM_PAGES = 4096;

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent) => void) | null };
let core: Core | undefined;
let group: SharedThreads | undefined;
let models: ModelEntry[] = [];

function reply(r: EngineReply): void {
  scope.postMessage(r);
}

async function init(req: Extract<EngineRequest, { type: "init" }>): Promise<void> {
  const c = await startThreadedCore(req.module, req.threads, { initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES });
  core = c;
  group = c.parallel;
  models = loadModels(c, req.files, req.capacity);
}

scope.onmessage = async (e: MessageEvent) => {
  const req = e.data as EngineRequest;
  try {
    if (req.type === "init") {
      await init(req);
      reply({ type: "ready", id: req.id, threads: core!.parallel.threads });
    } else if (req.type === "predict") {
      const t0 = performance.now();
      const results = predictAll(models, req.image, req.label, req.options);
      reply({ type: "result", id: req.id, results, ms: performance.now() - t0 });
    } else if (req.type === "portable") {
      reply({ type: "portable", id: req.id, result: runPortableCheck(core!) });
    } else if (req.type === "stats") {
      reply({ type: "stats", id: req.id, stats: { ...group!.stats } });
    }
  } catch (err) {
    reply({ type: "error", id: req.id, message: (err as Error).message });
  }
};
