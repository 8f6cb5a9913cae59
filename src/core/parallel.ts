// Running the kernels of one model on several threads over one memory, runtime-neutral: what a piece of
// work is (a list of kernel calls), how the work of an op is split, and the serial runner. The Node
// runner with worker threads over a shared memory is src/node/threads.ts.
//
// Same bits for any thread count: a piece writes only elements no other piece of the same run writes,
// and computes each of them exactly as the one-thread call over the whole tensor does:
// - forward, input gradients, ReLU and max-pool: split by images (every image's result depends on that
//   image alone; a kernel called on a slice of the batch does per image what it does on the whole);
// - conv weight/bias gradients: split by work items of (4 taps) x (2 output channels)
//   (assembly/conv.ts conv2d_backward_params); each element is summed over positions and then over the
//   images in order inside ONE call, exactly as conv2d_backward sums it — no partial sums are combined
//   across threads, so the order never depends on the thread count;
// - linear weight/bias gradients: one piece (gemm_tn sums over the batch sequentially).
// The split itself depends on the thread count; the values do not, so 1, 2 or 3 threads (and the
// module without threads, which runs the same calls one after another) give identical bytes.
import type { CoreExports } from "./abi.js";

/** The kernels a piece may call (a worker thread looks them up by index in this list). */
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

/** One call: a kernel and its (numeric) arguments. */
export type Call = readonly [KernelName, ...number[]];

/** Runs pieces of work, one list of calls per thread, and returns when all are done. */
export interface Parallel {
  /** Threads the next split may use (1 for the serial runner). */
  readonly threads: number;
  /** The most threads this runner will ever use (scratch is sized for it). */
  readonly maxThreads: number;
  /** Run pieces[p] on thread p (pieces.length <= threads; pieces[0] on the calling thread). */
  run(pieces: Call[][]): void;
  /** Release the threads (the serial runner has none). */
  close(): void;
  /** Re-read how many threads may be used now (a scheduler may grant more cores mid-job); the
   *  training loop calls it before every step. */
  refresh?(): void;
}

/** Every piece in order on the calling thread (the module without threads, or one thread). */
export class Serial implements Parallel {
  readonly threads = 1;
  readonly maxThreads = 1;
  private readonly fns: ((...a: number[]) => unknown)[];

  constructor(ex: CoreExports) {
    this.fns = bindKernels(ex);
  }

  run(pieces: Call[][]): void {
    for (const piece of pieces) for (const c of piece) this.fns[KERNEL_INDEX.get(c[0])!](...(c.slice(1) as number[]));
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

/** Split a list of weighted items (in order) into `parts` contiguous ranges of near-equal total
 *  weight; returns the cut points c_0 = 0 <= c_1 <= ... <= c_parts = items.length. */
export function cuts(weights: readonly number[], parts: number): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const out = [0];
  let acc = 0,
    i = 0;
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (i < weights.length && acc + weights[i] / 2 <= target) acc += weights[i++];
    out.push(i);
  }
  out.push(weights.length);
  return out;
}

// The shared control block of a threaded runner (src/node/threads.ts), in the wasm memory: a header of
// i32 words, then one region per thread of f64 words holding its calls:
//   [count, (kernel index, argument count, arguments...) x count]
export const CTL = { GEN: 0, DONE: 1, ERROR: 2, STOP: 3, HEADER_BYTES: 64, PIECE_BYTES: 1 << 17 } as const;

/** Bytes of the control block for `threads` threads. */
export function controlBytes(threads: number): number {
  return CTL.HEADER_BYTES + threads * CTL.PIECE_BYTES;
}

/** Encode calls[from..] into a piece's f64 region, as many as fit; returns the index after the last
 *  one encoded (a runner runs the rest in another round: calls of one piece keep their order). */
export function encodePiece(region: Float64Array, calls: readonly Call[], from = 0): number {
  let o = 1,
    c = from;
  for (; c < calls.length; c++) {
    const call = calls[c];
    const n = call.length - 1;
    if (o + 2 + n > region.length) break;
    region[o++] = KERNEL_INDEX.get(call[0])!;
    region[o++] = n;
    for (let k = 1; k <= n; k++) region[o++] = call[k] as number;
  }
  if (c === from && c < calls.length) throw new RangeError("parallel: one call does not fit the control block");
  region[0] = c - from;
  return c;
}

/** Run the piece encoded in `region` with the kernel functions `fns` (KERNELS order). */
export function runEncoded(region: Float64Array, fns: ((...a: number[]) => unknown)[]): void {
  const count = region[0];
  let o = 1;
  const args: number[] = [];
  for (let c = 0; c < count; c++) {
    const f = fns[region[o++]];
    const n = region[o++];
    args.length = n;
    for (let k = 0; k < n; k++) args[k] = region[o++];
    f(...args);
  }
}
