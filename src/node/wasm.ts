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
