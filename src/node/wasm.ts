// Node-only loading of the core: finds build/augsal.wasm next to the package (or AUGSAL_WASM) and
// instantiates it through @assemblyscript/loader. Browser, Deno and Bun use src/core/load.ts directly.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import * as loader from "@assemblyscript/loader";
import type { CoreExports } from "../core/abi.js";
import { wrapInstance, type Core } from "../core/load.js";

/** Absolute path of the wasm core: $AUGSAL_WASM, else <package>/build/augsal.wasm. */
export function wasmPath(): string {
  const env = process.env.AUGSAL_WASM;
  if (env) return resolve(env);
  // dist/node/wasm.js and build/ts/src/node/wasm.js both sit below the package root.
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = resolve(dir, "build/augsal.wasm");
    try {
      readFileSync(resolve(dir, "package.json"));
      return candidate;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error("augsal: cannot find the package root to locate build/augsal.wasm (set AUGSAL_WASM)");
}

let cachedModule: WebAssembly.Module | undefined;
let cachedBytes: Uint8Array<ArrayBuffer> | undefined;

/** The wasm bytes (read once per process). */
export function wasmBytes(): Uint8Array<ArrayBuffer> {
  if (!cachedBytes) {
    const path = wasmPath();
    try {
      cachedBytes = new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new Error(`augsal: cannot read the wasm core at ${path} (run 'npm run build'): ${(e as Error).message}`);
    }
  }
  return cachedBytes;
}

// The "slow half" of 0.1 (about half of fresh processes ~25% slower, following the compilation),
// looked for on 2026-12-01 on the 2-vCPU Zen 3 machine (Node 20.20, V8 11.3), timing kernels by the
// process's CPU time in fresh processes:
// - With V8's defaults (Liftoff, then dynamic tier-up to TurboFan) no process was slow: 28 processes,
//   conv kernels within about 5%, train-step throughput max/min 1.13 with the machine at load ~9.
// - With --no-liftoff (every function compiled by TurboFan up front, on parallel background tasks)
//   3 of 10 processes ran every conv kernel 25-30% slower — but --print-wasm-code showed the TurboFan
//   code of the hot functions (tile4x8, tile_row, dot2x4p, im2col_*, conv2d_forward) at the same
//   offsets mod 4096, in the same order, in fast and slow processes, so code alignment is not it; the
//   arena's layout (and so any 4K aliasing between scratch buffers) is the same in every process; the
//   slow processes also measured a lower peak probe (51 vs 55 GFLOP/s) and a second batch of 8 such
//   processes had no slow one: the slowness followed the machine's load (the 2 vCPUs are shared),
//   not the compilation. Nothing to remove here: keep the defaults (synchronous new WebAssembly.Module,
//   Liftoff + tier-up), and time on a quiet machine.
// Looked at again the same day (load 11-17 throughout: figures by CPU time), with bench/spread.ts:
// - Fresh processes were bimodal in every variant (default, --no-liftoff, arena shifted by 2048 bytes):
//   ~1,550-1,650 vs ~2,000-2,330 img/s, each process at one level in all its blocks.
// - `--inproc` (per process: engines A and B, two instances of one compiled module with their own
//   memories; C, a second compilation of the same bytes; interleaved blocks, rotating order), 12
//   processes: B/A 0.984-1.041 and C/A 0.958-1.030, and the one slow process (1,706 / 1,696 / 1,758
//   img/s against ~2,100 elsewhere) was slow in all three engines alike. So the slowness follows
//   neither the memory layout (4K aliasing between buffers, page placement) nor the machine code
//   (alignment, tiering order): it is the process's time on the machine.
// - Later, on a quiet machine: `node build/ts/bench/spread.js --variants cpu:0,cpu:1 --procs 5`
//   (each process pinned with taskset): cpu:1 gave 2,392-2,417 img/s in all 5 processes; cpu:0 gave
//   1,514-1,561 in the first 3 and 2,375-2,393 in the last 2, and its peak probe fell too (46-49 vs
//   54 GFLOP/s); /proc/stat showed no steal. So the slow processes follow the vCPU: at times vCPU 0
//   runs our code ~1.55x slower (contention on the host we cannot see), and an unpinned process is
//   slow when it lands there. Nothing in the engine to remove; spread.ts prints each child's CPU, and
//   threads share work dynamically (src/core/parallel.ts) so a step does not wait for the slow vCPU.
/** The compiled module (compiled once per process, shareable with workers via postMessage). */
export function wasmModule(): WebAssembly.Module {
  if (!cachedModule) cachedModule = new WebAssembly.Module(wasmBytes());
  return cachedModule;
}

/** A fresh core instance (own memory) through @assemblyscript/loader. */
export function loadCore(module: WebAssembly.Module = wasmModule()): Core {
  const { exports } = loader.instantiateSync<Record<string, unknown>>(module, {});
  return wrapInstance(exports as unknown as CoreExports);
}
