// Running the kernels of one model on several threads over one memory, runtime-neutral: what a task
// is (a list of kernel calls), how a run's tasks are encoded for the threads, and the serial runner.
// The threaded runner over a shared memory is src/core/thread-group.ts (its helpers: Node worker threads,
// src/node/threads.ts; Web Workers in the browser page, Deno and Bun, src/web/threads.ts).
//
// Dynamic sharing. A run is a list of TASKS that does not depend on the thread count: the model cuts its
// work at fixed boundaries (src/nn/model.ts: blocks of images at fixed offsets for the per-image chains,
// fixed ranges of conv weight-gradient work items, the linear gradients as one task). Every thread (the
// caller included) claims the next unclaimed task with an atomic compare-and-swap on one claim word,
// runs it, and claims again until none are left; so a thread on a fast core simply runs more tasks (on
// this 2-vCPU VM one vCPU at times runs our code ~1.55x slower: a static half each made every step wait
// for the slow one). The serial runner (the module without threads) runs the same tasks in order.
//
// Same bits for any thread count and any timing: a task writes only elements no other task of the same
// run writes, and computes each of them exactly as the one-thread call over the whole tensor does:
// - forward, input gradients, ReLU and max-pool: a task is a block of images (every image's result
//   depends on that image alone; a kernel called on a slice of the batch does per image what it does on
//   the whole);
// - conv weight/bias gradients: a task is a range of work items of (4 taps) x (2 output channels)
//   (assembly/conv.ts conv2d_backward_params); each element is summed over positions and then over the
//   images in order inside ONE call, exactly as conv2d_backward sums it: no partial sums are combined
//   across tasks, so the order depends on neither the tasks nor the threads;
// - linear weight/bias gradients: one task (gemm_tn sums over the batch sequentially).
// Which thread runs a task changes where its SCRATCH lies, never a value: an argument made with
// perThread(base, stride) is rebased by the thread that runs the call to base + thread * stride (the
// caller is thread 0, worker p is thread p), so each thread has its own scratch (the conv kernels' ws,
// the per-block activations of a forward that keeps nothing) whoever claims what. (A scratch slot chosen
// by claim order modulo the threads would not do: a slow thread may still run task k while a fast one
// claims task k + threads.) Scratch carries nothing from one task to the next: a task's calls write the
// scratch before they read it.
import type { CoreExports } from "./abi.js";

/** The kernels a task may call (a worker thread looks them up by index in this list). */
export const KERNELS = [
  "zero",
  "copy",
  "peak_probe",
  "conv2d_forward",
  "conv2d_relu_maxpool_forward",
  "conv2d_backward_params",
  "conv2d_backward_input",
  "linear_forward",
  "linear_backward",
  "relu_forward",
  "relu_backward",
  "maxpool2d_forward",
  "maxpool2d_backward",
  "maxpool2d_relu_backward",
] as const;
export type KernelName = (typeof KERNELS)[number];

const KERNEL_INDEX = new Map<string, number>(KERNELS.map((k, i) => [k, i]));

/** A per-thread argument: base + thread * stride for the thread that runs the call (its own scratch). */
export interface PerThread {
  readonly base: number;
  readonly stride: number;
}

/** The per-thread argument base + thread * stride (see the top of the file). */
export function perThread(base: number, stride: number): PerThread {
  return { base, stride };
}

/** One call: a kernel and its (numeric or per-thread) arguments. */
export type Call = readonly [KernelName, ...(number | PerThread)[]];
/** One task: calls run in order by whichever thread claims it. */
export type Task = readonly Call[];

/** Runs a list of tasks on its threads and returns when all are done. */
export interface Parallel {
  /** Threads the next run may use (1 for the serial runner). */
  readonly threads: number;
  /** The most threads this runner will ever use (scratch is sized for it). */
  readonly maxThreads: number;
  /** Run every task once, each on one thread (claimed dynamically); returns when all are done. */
  run(tasks: readonly Task[]): void;
  /** Release the threads (the serial runner has none). */
  close(): void;
  /** Re-read how many threads may be used now (a scheduler may grant more cores mid-job); the
   *  training loop calls it before every step. */
  refresh?(): void;
}

/** The arguments of `call` as thread `thread` passes them, written into `args` (runDirect reuses one array:
 *  it runs every kernel call of the serial runner, so it allocates nothing per call). */
export function callArgs(call: Call, thread: number, args: number[] = []): number[] {
  args.length = call.length - 1;
  for (let k = 1; k < call.length; k++) {
    const a = call[k] as number | PerThread;
    args[k - 1] = typeof a === "number" ? a : a.base + thread * a.stride;
  }
  return args;
}

/** runDirect's argument array (a kernel never calls back into JS, so one per thread suffices). */
const directArgs: number[] = [];

/** Run the calls of `tasks` in order on the calling thread as thread `thread` (0: the caller). */
export function runDirect(tasks: readonly Task[], fns: ((...a: number[]) => unknown)[], thread = 0): void {
  for (const task of tasks) for (const c of task) fns[KERNEL_INDEX.get(c[0])!](...callArgs(c, thread, directArgs));
}

/** Every task in order on the calling thread (the module without threads, or one thread). */
export class Serial implements Parallel {
  readonly threads = 1;
  readonly maxThreads = 1;
  private readonly fns: ((...a: number[]) => unknown)[];

  constructor(ex: CoreExports) {
    this.fns = bindKernels(ex);
  }

  run(tasks: readonly Task[]): void {
    runDirect(tasks, this.fns, 0);
  }

  close(): void {}
}

/** The kernel functions of an instance in KERNELS order (undefined for a kernel the module lacks). */
export function bindKernels(ex: CoreExports): ((...a: number[]) => unknown)[] {
  const rec = ex as unknown as Record<string, (...a: number[]) => unknown>;
  return KERNELS.map((k) => rec[k]);
}

/** [start, end) of piece p of n things split into `parts` contiguous near-equal ranges. */
export function share(n: number, parts: number, p: number): [number, number] {
  return [Math.floor((n * p) / parts), Math.floor((n * (p + 1)) / parts)];
}

// The shared control block of a threaded runner (src/core/thread-group.ts), in the wasm memory:
// - a header of i32 words: GEN (bumped to wake the workers), FINISHED (tasks done this round), ERROR
//   (the index of a worker whose task threw), STOP, ACTIVE (threads that may claim this round), and at
//   byte CLAIM_BYTE the u64 claim word: round generation (high 32 bits) | task count (16) | next task (16);
//   a claim is a compare-and-swap of next -> next + 1 within the same generation, so a thread that
//   wakes late for an earlier round can never claim (or run) a task of a later one;
// - the task region of f64 words: [count, offset of task 0, ..., offset of task count-1, tasks...],
//   a task [calls, (kernel index, argument count n, per-thread mask, n arguments, one stride per
//   per-thread argument) x calls]; the region is written once per round, before the claim word.
export const CTL = {
  GEN: 0,
  FINISHED: 1,
  ERROR: 2,
  STOP: 3,
  ACTIVE: 4,
  CLAIM_BYTE: 32,
  HEADER_BYTES: 64,
  TASK_BYTES: 1 << 18,
} as const;
/** At most this many tasks per round (16 bits of the claim word); a run of more runs in rounds. */
export const MAX_ROUND_TASKS = 0xffff;

/** Bytes of the control block. */
export function controlBytes(): number {
  return CTL.HEADER_BYTES + CTL.TASK_BYTES;
}

/** The claim word's value for a round: generation, task count, next task 0. */
export function claimWord(gen: number, count: number): bigint {
  return (BigInt(gen >>> 0) << 32n) | (BigInt(count) << 16n);
}

/** Claim the next task of round `gen` (the i32 generation word's value): its index, or -1 when none is
 *  left or the round is no longer `gen` (the claim word is at index 0 of `word`). */
export function claim(word: BigUint64Array, gen: number): number {
  const g = BigInt(gen >>> 0);
  for (;;) {
    const v = Atomics.load(word, 0);
    if (v >> 32n !== g) return -1;
    const next = Number(v & 0xffffn),
      count = Number((v >> 16n) & 0xffffn);
    if (next >= count) return -1;
    if (Atomics.compareExchange(word, 0, v, v + 1n) === v) return next;
  }
}

/** Encode tasks[from..] into the task region, as many as fit (at most MAX_ROUND_TASKS); returns the
 *  index after the last one encoded (a runner runs the rest in another round; a task is never split:
 *  its calls may pass data through the claiming thread's scratch). */
export function encodeTasks(region: Float64Array, tasks: readonly Task[], from = 0): number {
  // the offsets table is sized for `room` tasks (fewer may fit); at most an eighth of the region, so
  // that tasks of a few calls fill most of it
  const room = Math.min(MAX_ROUND_TASKS, tasks.length - from, Math.floor((region.length - 1) / 8));
  let o = 1 + room,
    t = from;
  for (; t < from + room; t++) {
    const task = tasks[t];
    let size = 1;
    for (const call of task) {
      size += 3 + (call.length - 1);
      for (let k = 1; k < call.length; k++) if (typeof call[k] !== "number") size++;
    }
    if (o + size > region.length) break;
    region[1 + (t - from)] = o;
    region[o++] = task.length;
    for (const call of task) {
      const n = call.length - 1;
      region[o++] = KERNEL_INDEX.get(call[0])!;
      region[o++] = n;
      const maskAt = o++;
      let mask = 0;
      for (let k = 1; k <= n; k++) {
        const a = call[k] as number | PerThread;
        if (typeof a === "number") region[o++] = a;
        else {
          if (k > 31) throw new RangeError("parallel: a per-thread argument past the 31st");
          region[o++] = a.base;
          mask |= 1 << (k - 1);
        }
      }
      region[maskAt] = mask;
      for (let k = 1; k <= n; k++) {
        const a = call[k] as number | PerThread;
        if (typeof a !== "number") region[o++] = a.stride;
      }
    }
  }
  if (t === from && t < tasks.length) throw new RangeError("parallel: one task does not fit the control block");
  region[0] = t - from;
  return t;
}

/** Run task `t` of the encoded region as thread `thread` with the kernel functions `fns`. */
export function runEncodedTask(
  region: Float64Array,
  t: number,
  thread: number,
  fns: ((...a: number[]) => unknown)[],
): void {
  let o = region[1 + t];
  const calls = region[o++];
  const args: number[] = [];
  for (let c = 0; c < calls; c++) {
    const f = fns[region[o++]];
    const n = region[o++];
    const mask = region[o++];
    args.length = n;
    for (let k = 0; k < n; k++) args[k] = region[o++];
    for (let k = 0; k < n; k++) if (mask & (1 << k)) args[k] += thread * region[o++];
    f(...args);
  }
}
