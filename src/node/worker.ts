// The worker side of ./pool.ts (node:worker_threads): set up once from the pool's init message, then
// run jobs one at a time. Messages (./pool.ts's ToWorker and FromWorker):
//   in:  { type: "init", init }   { type: "job", job }
//   out: { type: "progress", id, report }   { type: "done", result }   { type: "error", id, message, stack }
// The pool ends a worker by terminating it once every job is done (or one failed).
import { parentPort } from "node:worker_threads";
import type { FromWorker, ToWorker } from "./pool.js";

/** What the pool tells a worker besides `init`: a word holding the threads its current job may use
 *  (raised by the pool when cores free up; see PoolOptions.cores). */
export interface JobContext {
  allowance: Int32Array;
}

export interface JobRunner<I, J extends { id: string }, R, P> {
  /** Called once with the pool's `init`. */
  setup(init: I, ctx: JobContext): void;
  /** One job; `progress` sends a report to the pool's onProgress. Returns the result and the buffers
   *  to transfer rather than copy. */
  run(job: J, progress: (report: P) => void): { result: R; transfer?: ArrayBuffer[] };
}

export function serveJobs<I, J extends { id: string }, R, P>(runner: JobRunner<I, J, R, P>): void {
  const port = parentPort;
  if (!port) throw new Error("augsal: a pool worker script must run in a worker thread");
  const send = (msg: FromWorker<R, P>, transfer?: ArrayBuffer[]) => port.postMessage(msg, transfer);
  let ready = false;
  port.on("message", (msg: ToWorker<J>) => {
    if (msg.type === "init") {
      runner.setup(msg.init as I, { allowance: new Int32Array(msg.allowance, 4 * msg.slot, 1) });
      ready = true;
      return;
    }
    const job = msg.job;
    try {
      if (!ready) throw new Error("worker received a job before its data");
      const { result, transfer } = runner.run(job, (report) => send({ type: "progress", id: job.id, report }));
      send({ type: "done", result }, transfer);
    } catch (e) {
      const err = e as Error;
      send({ type: "error", id: job.id, message: err.message, stack: err.stack });
    }
  });
}
