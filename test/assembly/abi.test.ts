// The module is the ABI: no imports at all, loadable with a plain WebAssembly.instantiate and an
// empty import object, and its exports are exactly the functions assembly/index.ts re-exports and
// src/core/abi.ts types.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { wasmBytes } from "../../src/node/wasm.js";
import { instantiateCore } from "../../src/core/load.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const abi = suite("assembly/abi");

/** Exported function names of the assembly files that index.ts re-exports. */
function sourceExports(): string[] {
  const index = readFileSync(join(root, "assembly", "index.ts"), "utf8");
  const files = [...index.matchAll(/export \* from "\.\/(\w+)";/g)].map((m) => m[1]);
  assert.ok(files.length >= 10, `index.ts re-exports ${files.length} files`);
  const names: string[] = [];
  for (const f of files) {
    const src = readFileSync(join(root, "assembly", `${f}.ts`), "utf8");
    for (const m of src.matchAll(/^export function (\w+)/gm)) names.push(m[1]);
  }
  return names.sort();
}

/** Names typed in the CoreExports interface of src/core/abi.ts. */
function typedExports(): string[] {
  const src = readFileSync(join(root, "src", "core", "abi.ts"), "utf8");
  const body = src.slice(src.indexOf("export interface CoreExports"));
  return [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]).sort();
}

abi("the module imports nothing", () => {
  const mod = new WebAssembly.Module(wasmBytes());
  assert.equal(WebAssembly.Module.imports(mod), []);
});

abi("a plain WebAssembly.instantiate with an empty import object runs it", async () => {
  const core = await instantiateCore(wasmBytes());
  const st = core.arena.alloc(16);
  core.exports.rng_seed(st, 1, 2, 3, 4, 5);
  assert.type(core.exports.rng_u32(st), "number");
});

abi("its exports are exactly the functions of assembly/index.ts, and src/core/abi.ts types each", () => {
  const mod = new WebAssembly.Module(wasmBytes());
  const exported = WebAssembly.Module.exports(mod);
  const fns = exported.filter((e) => e.kind === "function").map((e) => e.name).sort();
  assert.equal(exported.filter((e) => e.kind !== "function").map((e) => e.name), ["memory"]);
  assert.equal(fns, sourceExports());
  assert.equal(typedExports(), fns);
});

abi.run();
