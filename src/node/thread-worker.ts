// One worker thread of ./threads.ts's ThreadGroup: instantiates the threaded module over the shared
// memory, then runs its piece of every generation (src/core/parallel.ts's control block) until STOP.
// It never receives messages: it sleeps in Atomics.wait on the generation word between runs.
import { workerData } from "node:worker_threads";
import type { CoreExports } from "../core/abi.js";
import { CTL, bindKernels, runEncoded } from "../core/parallel.js";

const { module, memory, ctl, part } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
};
const head = new Int32Array(memory.buffer, ctl, CTL.HEADER_BYTES / 4);
const region = new Float64Array(memory.buffer, ctl + CTL.HEADER_BYTES + part * CTL.PIECE_BYTES, CTL.PIECE_BYTES / 8);
/** Spins on the generation word before sleeping (the next run often follows within microseconds). */
const SPINS = 20000;

let fns: ((...a: number[]) => unknown)[] = [];
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(head, CTL.GEN) === seen) {
    if (++spins > SPINS) Atomics.wait(head, CTL.GEN, seen);
  }
  seen = Atomics.load(head, CTL.GEN);
  if (Atomics.load(head, CTL.STOP)) break;
  try {
    if (fns.length === 0) {
      const instance = new WebAssembly.Instance(module, { env: { memory } });
      fns = bindKernels(instance.exports as unknown as CoreExports);
    }
    runEncoded(region, fns);
  } catch (e) {
    process.stderr.write(`augsal thread ${part}: ${(e as Error).stack ?? e}\n`);
    Atomics.store(head, CTL.ERROR, part);
  }
  Atomics.add(head, CTL.DONE, 1);
  Atomics.notify(head, CTL.DONE);
}
