// One helper thread of ./threads.ts's thread group: instantiates the threaded module over the shared
// memory, then runs src/core/thread-group.ts's helper loop as thread `part` (its own scratch) until the
// group stops. It never receives messages: it sleeps in Atomics.wait on the generation word between runs.
import { workerData } from "node:worker_threads";
import type { CoreExports } from "../core/abi.js";
import { helperLoop } from "../core/thread-group.js";

const { module, memory, ctl, part, delay } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
  delay: number;
};
const instance = new WebAssembly.Instance(module, { env: { memory } });
helperLoop({
  exports: instance.exports as unknown as CoreExports,
  memory,
  ctl,
  part,
  delay,
  onError: (e) => process.stderr.write(`augsal thread ${part}: ${(e as Error).stack ?? e}\n`),
});
