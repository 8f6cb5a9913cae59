// The page's threaded engine (./live.ts starts it when the page is cross-origin isolated): a dedicated
// Web Worker that is the coordinating thread of src/core/thread-group.ts, because the coordinating
// thread waits with Atomics.wait, which a browser's main thread may not. It instantiates the threaded
// module (build/augsal-mt.wasm, the same kernel sources as augsal.wasm) over one shared
// WebAssembly.Memory, starts threads - 1 helper workers (./thread-worker.ts) on the same memory and
// module, loads the run's models and answers the page's requests with ./engine.ts's predictAll: the same
// code as the single-thread page, only core.parallel differs (and no value depends on it: see
// src/core/parallel.ts).
import type { CoreExports } from "../core/abi.js";
import { wrapInstance, type Core } from "../core/load.js";
import { controlBytes } from "../core/parallel.js";
import { SharedThreads } from "../core/thread-group.js";
import { runPortableCheck } from "../portable.js";
import { loadModels, predictAll, type ModelEntry } from "./engine.js";
import type { EngineReply, EngineRequest } from "./live.js";

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

/** Start helper `part` and resolve once it runs (a worker starts only when its creator is idle). */
function startHelper(
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  ctl: number,
  part: number,
): { worker: Worker; ready: Promise<void> } {
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

async function init(req: Extract<EngineRequest, { type: "init" }>): Promise<void> {
  const memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(req.module, { env: { memory } });
  const ex = instance.exports as unknown as CoreExports;
  const c = wrapInstance(ex);
  const ctl = c.arena.allocF32(controlBytes() / 4);
  const starting: Promise<void>[] = [];
  const g = new SharedThreads(
    (part) => {
      const h = startHelper(req.module, memory, ctl, part);
      starting.push(h.ready);
      return h.worker;
    },
    memory,
    ex,
    ctl,
    req.threads,
    req.threads,
  );
  c.parallel = g;
  g.start();
  await Promise.all(starting);
  core = c;
  group = g;
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
