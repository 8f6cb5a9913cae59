// One worker thread of ./threads.ts's ThreadGroup: instantiates the threaded module over the shared
// memory, then in every generation claims tasks of src/core/parallel.ts's control block and runs them
// as thread `part` (its own scratch) until none is left, until STOP. It never receives messages: it
// sleeps in Atomics.wait on the generation word between runs.
import { workerData } from "node:worker_threads";
import type { CoreExports } from "../core/abi.js";
import { CTL, bindKernels, claim, runEncodedTask } from "../core/parallel.js";

const { module, memory, ctl, part, delay } = workerData as {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctl: number;
  part: number;
  delay: number;
};
const head = new Int32Array(memory.buffer, ctl, CTL.HEADER_BYTES / 4);
const claimWord = new BigUint64Array(memory.buffer, ctl + CTL.CLAIM_BYTE, 1);
const region = new Float64Array(memory.buffer, ctl + CTL.HEADER_BYTES, CTL.TASK_BYTES / 8);
/** Spins on the generation word before sleeping (the next run often follows within microseconds). */
const SPINS = 20000;

const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = bindKernels(instance.exports as unknown as CoreExports);
const nap = new Int32Array(new SharedArrayBuffer(4));
let seen = 0;
for (;;) {
  let spins = 0;
  while (Atomics.load(head, CTL.GEN) === seen) {
    if (++spins > SPINS) Atomics.wait(head, CTL.GEN, seen);
  }
  seen = Atomics.load(head, CTL.GEN);
  if (Atomics.load(head, CTL.STOP)) break;
  // a stale ACTIVE (a later round's) only changes whether this thread helps: any subset of threads
  // claiming gives the same tasks the same bits
  if (part >= Atomics.load(head, CTL.ACTIVE)) continue;
  if (delay) Atomics.wait(nap, 0, 0, delay);
  let done = 0;
  try {
    for (let t = claim(claimWord, seen); t >= 0; t = claim(claimWord, seen)) {
      done++; // counted even if it throws, so the caller stops waiting and reports the error
      runEncodedTask(region, t, part, fns);
    }
  } catch (e) {
    process.stderr.write(`augsal thread ${part}: ${(e as Error).stack ?? e}\n`);
    Atomics.store(head, CTL.ERROR, part);
  }
  if (done) {
    Atomics.add(head, CTL.FINISHED, done);
    Atomics.notify(head, CTL.FINISHED);
  }
}
