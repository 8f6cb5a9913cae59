// Kernel benchmarks: GFLOP/s of gemm/linear/conv2d at the network's real shapes, beside their scalar
// twins and as a share of the machine's measured peak (assembly/gemm.ts peak_probe).
//
//   npm run bench -- --only kernels [--quick] [--cs231n] [--no-twins]    (benny)
//   node dist/cli.js bench [--json] [--quick]                            (CLI: kernels, augmentation, steps)
//
// The cases are defined here once; src/bench/suite.ts times them for `augsal bench` and bench/run.ts
// through benny, both with src/bench/timing.ts. Single thread throughout.
// FLOP counts: a multiply-add is 2 flop; conv forward 2 N Cout HW CKK, conv backward 2 N Cout HW CKK
// per gradient (weight, and input unless skipped), linear 2 N In Out per product. Bias terms are
// not counted.
import type { Core } from "../core/load.js";
import { Stream } from "../core/streams.js";
import { share, type Call } from "../core/parallel.js";
import type { BenchCase } from "./timing.js";

/** The network's layers (src/nn's MNIST model and the "cs231n" preset). */
export const LAYERS = {
  conv1: { Cin: 1, H: 28, W: 28, Cout: 16, K: 5, pad: 2 },
  conv2: { Cin: 16, H: 14, W: 14, Cout: 32, K: 5, pad: 2 },
  linear: { In: 32 * 7 * 7, Out: 10 },
  cs231n_conv1: { Cin: 1, H: 28, W: 28, Cout: 32, K: 5, pad: 2 },
  cs231n_conv2: { Cin: 32, H: 28, W: 28, Cout: 16, K: 3, pad: 1 },
  cs231n_linear: { In: 16 * 28 * 28, Out: 10 },
} as const;

type ConvShape = { Cin: number; H: number; W: number; Cout: number; K: number; pad: number };
type LinShape = { In: number; Out: number };

export interface BenchOptions {
  /** Training batch (default 110). */
  trainBatch?: number;
  /** Inference batch (default 1000). */
  inferBatch?: number;
  /** Saliency batch (default 100): conv1's backward with the input gradient. */
  saliencyBatch?: number;
  /** Batch at which the scalar twins run (their rate does not depend on it; default 4). */
  twinBatch?: number;
  /** Also the cs231n preset's layers. */
  cs231n?: boolean;
  /** Skip the scalar twins. */
  noTwins?: boolean;
  /** Seconds of timed runs per case (default 0.8; the twins at most 0.2). */
  minTime?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** A kernel case (see timing.ts). */
export type KernelCase = BenchCase;

/** n uniform floats in [lo, hi) in the core's arena, from the stream (seed, TEST, n): synthetic data. */
export function fill(core: Core, n: number, seed: number, lo = -1, hi = 1): number {
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, seed, Stream.TEST, n, 0, 0);
  const p = core.arena.alloc(Math.max(n, 1) * 4);
  core.exports.rng_fill_uniform(st, p, n, lo, hi);
  return p;
}

function convFlops(N: number, s: ConvShape): number {
  const Ho = s.H + 2 * s.pad - s.K + 1,
    Wo = s.W + 2 * s.pad - s.K + 1;
  return 2 * N * s.Cout * Ho * Wo * s.Cin * s.K * s.K;
}

/** Forward and backward cases of one conv layer at batch N (fast, or the twin); with withDinp a third,
 *  the input gradient alone (conv2d_backward_input: what saliency's backward runs, no parameter
 *  gradients). */
function convCases(
  core: Core,
  name: string,
  s: ConvShape,
  N: number,
  twin: boolean,
  withDinp: boolean,
  seed: number,
): KernelCase[] {
  const ex = core.exports,
    a = core.arena;
  const Ho = s.H + 2 * s.pad - s.K + 1,
    Wo = s.W + 2 * s.pad - s.K + 1;
  const nIn = N * s.Cin * s.H * s.W,
    nOut = N * s.Cout * Ho * Wo,
    nW = s.Cout * s.Cin * s.K * s.K;
  const inp = fill(core, nIn, seed),
    w = fill(core, nW, seed + 1, -0.2, 0.2),
    b = fill(core, s.Cout, seed + 2);
  const out = a.alloc(nOut * 4),
    dout = fill(core, nOut, seed + 3);
  const dinp = withDinp ? a.allocF32(nIn) : 0,
    dw = a.allocF32(nW),
    db = a.allocF32(s.Cout);
  const P = twin ? 1 : core.parallel.threads;
  const wsB = Math.ceil(ex.conv2d_ws_bytes(N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad) / 64) * 64;
  const ws = twin ? 0 : a.alloc(wsB * P);
  const f1 = convFlops(N, s);
  // P threads (core.parallel): images split for forward and dinp, work items for dweight/dbias, as
  // src/nn/model.ts splits them
  const img = s.Cin * s.H * s.W,
    oimg = s.Cout * Ho * Wo,
    items = ex.conv2d_param_items(s.Cin, s.Cout, s.K);
  const geo = [s.Cin, s.H, s.W, s.Cout, s.K, s.pad] as const;
  const fwdPieces: Call[][] = [],
    bwdPieces: Call[][] = [],
    dinpPieces: Call[][] = [];
  for (let p = 0; p < P; p++) {
    const [n0, n1] = share(N, P, p),
      [i0, i1] = share(items, P, p);
    fwdPieces.push([["conv2d_forward", out + n0 * oimg * 4, inp + n0 * img * 4, w, b, n1 - n0, ...geo, ws + p * wsB]]);
    const bc: Call[] = [["conv2d_backward_params", dw, db, dout, inp, N, ...geo, ws + p * wsB, i0, i1]];
    const dc: Call = [
      "conv2d_backward_input",
      dinp + n0 * img * 4,
      dout + n0 * oimg * 4,
      w,
      n1 - n0,
      ...geo,
      ws + p * wsB,
    ];
    if (withDinp) bc.push(dc);
    bwdPieces.push(bc);
    dinpPieces.push([dc]);
  }
  const sfx = twin ? "_ref" : "";
  const tag = twin ? `${name} twin` : name;
  const fwd: KernelCase = {
    key: `${name}_fwd${sfx}`,
    label: `${tag} forward, batch ${N}`,
    flops: f1,
    images: N,
    twin,
    threads: P,
    run: twin
      ? () => ex.conv2d_forward_ref(out, inp, w, b, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad)
      : P > 1
        ? () => core.parallel.run(fwdPieces)
        : () => ex.conv2d_forward(out, inp, w, b, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad, ws),
  };
  const bwd: KernelCase = {
    key: `${name}_bwd${withDinp ? "" : "_nodinp"}${sfx}`,
    label: `${tag} backward${withDinp ? "" : " (no dinp)"}, batch ${N}`,
    flops: (withDinp ? 2 : 1) * f1,
    images: N,
    twin,
    threads: P,
    run: twin
      ? () => ex.conv2d_backward_ref(dinp, dw, db, dout, inp, w, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad)
      : P > 1
        ? () => core.parallel.run(bwdPieces)
        : () => ex.conv2d_backward(dinp, dw, db, dout, inp, w, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad, ws),
  };
  if (!withDinp) return [fwd, bwd];
  const din: KernelCase = {
    key: `${name}_dinp${sfx}`,
    label: `${tag} input gradient alone, batch ${N}`,
    flops: f1,
    images: N,
    twin,
    threads: P,
    run: twin
      ? () => ex.conv2d_backward_input_ref(dinp, dout, w, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad)
      : P > 1
        ? () => core.parallel.run(dinpPieces)
        : () => ex.conv2d_backward_input(dinp, dout, w, N, s.Cin, s.H, s.W, s.Cout, s.K, s.pad, ws),
  };
  return [fwd, bwd, din];
}

function linearCases(core: Core, name: string, s: LinShape, N: number, twin: boolean, seed: number): KernelCase[] {
  const ex = core.exports,
    a = core.arena;
  const inp = fill(core, N * s.In, seed),
    w = fill(core, s.Out * s.In, seed + 1, -0.05, 0.05),
    b = fill(core, s.Out, seed + 2);
  const out = a.alloc(N * s.Out * 4),
    dout = fill(core, N * s.Out, seed + 3);
  const dinp = a.allocF32(N * s.In),
    dw = a.allocF32(s.Out * s.In),
    db = a.allocF32(s.Out);
  const P = twin ? 1 : core.parallel.threads;
  const wsB = Math.ceil(ex.linear_ws_bytes(N, s.In, s.Out) / 64) * 64;
  const ws = twin ? 0 : a.alloc(wsB * P);
  const f1 = 2 * N * s.In * s.Out;
  // P threads: rows (images) split; the weight/bias gradient is one piece (thread 0's), dinp by images
  // over the other threads (src/nn/model.ts does the same)
  const fwdPieces: Call[][] = [],
    bwdPieces: Call[][] = [];
  for (let p = 0; p < P; p++) {
    const [n0, n1] = share(N, P, p);
    fwdPieces.push([
      ["linear_forward", out + n0 * s.Out * 4, inp + n0 * s.In * 4, w, b, n1 - n0, s.In, s.Out, ws + p * wsB],
    ]);
    const [m0, m1] = P > 1 ? share(N, P - 1, p - 1) : [0, N];
    const bc: Call[] = p === 0 ? [["linear_backward", 0, dw, db, dout, inp, w, N, s.In, s.Out, ws]] : [];
    if (P === 1 || p > 0) {
      bc.push([
        "linear_backward",
        dinp + m0 * s.In * 4,
        0,
        0,
        dout + m0 * s.Out * 4,
        inp + m0 * s.In * 4,
        w,
        m1 - m0,
        s.In,
        s.Out,
        ws + p * wsB,
      ]);
    }
    bwdPieces.push(bc);
  }
  const sfx = twin ? "_ref" : "";
  const tag = twin ? `${name} twin` : name;
  return [
    {
      key: `${name}_fwd${sfx}`,
      label: `${tag} forward, batch ${N}`,
      flops: f1,
      images: N,
      twin,
      threads: P,
      run: twin
        ? () => ex.linear_forward_ref(out, inp, w, b, N, s.In, s.Out)
        : P > 1
          ? () => core.parallel.run(fwdPieces)
          : () => ex.linear_forward(out, inp, w, b, N, s.In, s.Out, ws),
    },
    {
      key: `${name}_bwd${sfx}`,
      label: `${tag} backward, batch ${N}`,
      flops: 2 * f1,
      images: N,
      twin,
      threads: P,
      run: twin
        ? () => ex.linear_backward_ref(dinp, dw, db, dout, inp, w, N, s.In, s.Out)
        : P > 1
          ? () => core.parallel.run(bwdPieces)
          : () => ex.linear_backward(dinp, dw, db, dout, inp, w, N, s.In, s.Out, ws),
    },
  ];
}

/** The peak probe as a case: 48 flop per iteration, on every thread of core.parallel at once (the
 *  peak of P threads is what P-thread kernels are measured against). */
export function peakCase(core: Core, iters = 4_000_000): KernelCase {
  const P = core.parallel.threads;
  const pieces: Call[][] = Array.from({ length: P }, () => [["peak_probe", iters]]);
  return {
    key: "peak",
    label: `peak probe (f32x4 mul+add)${P > 1 ? `, ${P} threads` : ""}`,
    flops: 48 * iters * P,
    images: 0,
    threads: P,
    run: P > 1 ? () => core.parallel.run(pieces) : () => void core.exports.peak_probe(iters),
  };
}

/** Every case, grouped for printing: [title, cases] (suffixes: _b<batch> for non-training batches). */
export function kernelCases(core: Core, opts: BenchOptions = {}): [string, KernelCase[]][] {
  const B = opts.trainBatch ?? 110,
    BI = opts.inferBatch ?? 1000,
    BS = opts.saliencyBatch ?? 100,
    BT = opts.twinBatch ?? 4;
  const twins = !opts.noTwins;
  const suffix = (cs: KernelCase[], s: string) => cs.map((c) => ({ ...c, key: c.key.replace(/(_ref)?$/, `_b${s}$1`) }));
  const groups: [string, KernelCase[]][] = [];
  const [c1f, c1b] = convCases(core, "conv1", LAYERS.conv1, B, false, false, 1);
  const [, c1s, c1d] = convCases(core, "conv1", LAYERS.conv1, BS, false, true, 2);
  const [c1fi] = convCases(core, "conv1", LAYERS.conv1, BI, false, false, 3);
  const c1t = twins ? convCases(core, "conv1", LAYERS.conv1, BT, true, true, 4) : [];
  groups.push([
    "conv1 1->16 5x5 pad 2, 28x28",
    [c1f, ...suffix([c1fi], `${BI}`), c1b, ...suffix([c1s, c1d], `${BS}`), ...c1t],
  ]);
  const [c2f, c2b] = convCases(core, "conv2", LAYERS.conv2, B, false, true, 5);
  const [c2fi] = convCases(core, "conv2", LAYERS.conv2, BI, false, false, 6);
  const [, , c2d] = convCases(core, "conv2", LAYERS.conv2, BS, false, true, 15);
  const c2t = twins ? convCases(core, "conv2", LAYERS.conv2, BT, true, true, 7) : [];
  groups.push([
    "conv2 16->32 5x5 pad 2, 14x14",
    [c2f, ...suffix([c2fi], `${BI}`), c2b, ...suffix([c2d], `${BS}`), ...c2t],
  ]);
  const [lf, lb] = linearCases(core, "linear", LAYERS.linear, B, false, 8);
  const [lfi] = linearCases(core, "linear", LAYERS.linear, BI, false, 9);
  const lt = twins ? linearCases(core, "linear", LAYERS.linear, B, true, 10) : [];
  groups.push(["linear 1568->10", [lf, ...suffix([lfi], `${BI}`), lb, ...lt]]);
  if (opts.cs231n) {
    const [a1f, a1b] = convCases(core, "cs231n_conv1", LAYERS.cs231n_conv1, B, false, false, 11);
    const [a2f, a2b] = convCases(core, "cs231n_conv2", LAYERS.cs231n_conv2, B, false, true, 12);
    const [alf, alb] = linearCases(core, "cs231n_linear", LAYERS.cs231n_linear, B, false, 13);
    const at = twins ? convCases(core, "cs231n_conv2", LAYERS.cs231n_conv2, BT, true, true, 14) : [];
    groups.push([
      "cs231n preset: conv 1->32 5x5, conv 32->16 3x3 on 28x28, linear 12544->10",
      [a1f, a1b, a2f, a2b, ...at, alf, alb],
    ]);
  }
  return groups;
}

/** Images per second of the layers of one training step and of inference, from the case times:
 *  train_layers_images_per_s (conv1 fwd + bwd without dinp, conv2 fwd + bwd, linear fwd + bwd at the
 *  training batch: an upper bound for a whole step, which also runs relu, pooling, the loss and the
 *  optimizer) and infer_layers_images_per_s. */
export function deriveTotals(r: Record<string, number>, opts: BenchOptions): void {
  const B = opts.trainBatch ?? 110,
    BI = opts.inferBatch ?? 1000;
  const train = ["conv1_fwd", "conv1_bwd_nodinp", "conv2_fwd", "conv2_bwd", "linear_fwd", "linear_bwd"].map(
    (k) => r[`${k}_ms`],
  );
  if (train.every((t) => t !== undefined)) {
    r.train_layers_ms = train.reduce((s, t) => s + t, 0);
    r.train_layers_images_per_s = (B / r.train_layers_ms) * 1e3;
  }
  const infer = [`conv1_fwd_b${BI}`, `conv2_fwd_b${BI}`, `linear_fwd_b${BI}`].map((k) => r[`${k}_ms`]);
  if (infer.every((t) => t !== undefined)) {
    r.infer_layers_ms = infer.reduce((s, t) => s + t, 0);
    r.infer_layers_images_per_s = (BI / r.infer_layers_ms) * 1e3;
  }
}
