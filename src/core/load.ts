// Runtime-neutral loading of the core: takes the wasm bytes, uses no Node API, so the browser, Deno
// and Bun load it the same way. The module has no imports at all: an empty import object suffices.
import type { CoreExports } from "./abi.js";
import { Arena } from "./arena.js";
import { Serial, type Parallel } from "./parallel.js";

export interface Core {
  readonly exports: CoreExports;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** How the model runs its kernels: one thread (Serial), or several over a shared memory
   *  (src/node/threads.ts). Results do not depend on it. */
  parallel: Parallel;
}

/** Instantiate the core from its bytes (or an already compiled module). */
export async function instantiateCore(source: BufferSource | WebAssembly.Module): Promise<Core> {
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  return wrapInstance(instance.exports as unknown as CoreExports);
}

/** Synchronous variant (workers and tests that already hold a compiled module). */
export function instantiateCoreSync(module: WebAssembly.Module): Core {
  const instance = new WebAssembly.Instance(module, {});
  return wrapInstance(instance.exports as unknown as CoreExports);
}

export function wrapInstance(exports: CoreExports): Core {
  const memory = exports.memory;
  return { exports, memory, arena: new Arena(exports), parallel: new Serial(exports) };
}
