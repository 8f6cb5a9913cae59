// A trust worker: its own wasm instance, the queries and settings received once, then one model's
// trust tables per job (./trust.ts runTrustJob), run by src/node/pool.ts through src/node/worker.ts.
import { instantiateCoreSync, type Core } from "../core/load.js";
import type { MethodName } from "../explain/methods.js";
import { serveJobs } from "../node/worker.js";
import { runTrustJob, type MethodSettings, type QueryImages, type TrustJob, type TrustTables } from "./trust.js";

export interface TrustInit {
  module: WebAssembly.Module;
  methods: MethodName[];
  q: QueryImages;
  settings: MethodSettings;
}

let core: Core;
let init: TrustInit;

serveJobs<TrustInit, TrustJob, { id: string; tables: TrustTables }, never>({
  setup(i) {
    init = i;
    core = instantiateCoreSync(i.module);
  },
  run(job) {
    return { result: { id: job.id, tables: runTrustJob(core, job, init.methods, init.q, init.settings) } };
  },
});
