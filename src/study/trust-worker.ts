// A maps-and-trust worker: its own wasm instance (the threaded one when a job may use several threads),
// the queries and settings received once, then one model's maps, predictions and trust tables per job
// (./trust.ts runModelJob), run by src/node/pool.ts through src/node/worker.ts.
import { instantiateCoreSync, type Core } from "../core/load.js";
import type { MethodName } from "../explain/methods.js";
import { loadThreadedCore } from "../node/threads.js";
import { serveJobs } from "../node/worker.js";
import { runModelJob, type MethodSettings, type ModelJob, type ModelJobResult, type QueryImages } from "./trust.js";

export interface TrustInit {
  module: WebAssembly.Module;
  /** The threaded module, when a job may use more than one thread. */
  mtModule?: WebAssembly.Module;
  maxThreads: number;
  methods: MethodName[];
  q: QueryImages;
  settings: MethodSettings;
}

let core: Core;
let init: TrustInit;

serveJobs<TrustInit, ModelJob, ModelJobResult, never>({
  setup(i, ctx) {
    init = i;
    // several threads per job: the threaded module, as many threads as the pool's allowance word says
    // (the tail's last jobs get the cores the others freed; results do not depend on it)
    core =
      i.maxThreads > 1 && i.mtModule
        ? loadThreadedCore({ module: i.mtModule, maxThreads: i.maxThreads, allowance: ctx.allowance })
        : instantiateCoreSync(i.module);
  },
  run(job) {
    return { result: runModelJob(core, job, init.methods, init.q, init.settings) };
  },
});
