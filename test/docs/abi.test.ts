// docs/abi.md against the module it documents: one heading per export, no more, no fewer, each with
// the export's number of parameters; and its example, run as written, computes exactly what augsal's
// Model, Optimizer and attribute() compute (bit for bit).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { loadCore, wasmBytes, wasmModule } from "../../src/node/wasm.js";
import { Model } from "../../src/nn/model.js";
import { parseSpec } from "../../src/nn/spec.js";
import { ADAM_DEFAULTS, Optimizer } from "../../src/nn/optim.js";
import { attribute } from "../../src/explain/saliency.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const doc = readFileSync(join(root, "docs", "abi.md"), "utf8");
const abi = suite("docs/abi.md");

/** `#### \`name(a: T, b: U) → R\`` headings: name → parameter count (-1 for a non-function). */
function documented(): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of doc.matchAll(/^#### `(\w+)(?:\(([^)]*)\))?[^`]*`\s*$/gm)) {
    if (out.has(m[1])) assert.unreachable(`docs/abi.md documents ${m[1]} twice`);
    out.set(m[1], m[2] === undefined ? -1 : m[2].trim() === "" ? 0 : m[2].split(",").length);
  }
  return out;
}

abi("documents every export of the module, and nothing else", () => {
  const real = WebAssembly.Module.exports(wasmModule())
    .map((e) => e.name)
    .sort();
  const docs = [...documented().keys()].sort();
  const missing = real.filter((n) => !docs.includes(n));
  const extra = docs.filter((n) => !real.includes(n));
  assert.ok(
    missing.length === 0 && extra.length === 0,
    `undocumented exports: ${missing.join(", ") || "none"}; documented but not exported: ${extra.join(", ") || "none"}`,
  );
});

abi("each documented signature has the export's number of parameters", () => {
  // The raw instance (the loader's wrappers hide the arity).
  const ex = new WebAssembly.Instance(wasmModule(), {}).exports as Record<string, unknown>;
  for (const [name, arity] of documented()) {
    const f = ex[name];
    if (arity < 0) {
      assert.ok(f instanceof WebAssembly.Memory, `${name} is documented without parameters but is not the memory`);
      continue;
    }
    assert.type(f, "function", name);
    assert.is((f as (...a: number[]) => unknown).length, arity, `${name}: parameters`);
  }
});

abi("each documented signature names the parameters and types of the AssemblyScript source", () => {
  const source = new Map<string, string>();
  for (const f of readdirSync(join(root, "assembly")).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(root, "assembly", f), "utf8");
    for (const m of text.matchAll(/^export function (\w+)\(([^)]*)\)\s*:\s*(\w+)/gm)) {
      source.set(m[1], `(${m[2].replace(/\s+/g, " ").trim()})${m[3] === "void" ? "" : ` → ${m[3]}`}`);
    }
  }
  const docs = new Map<string, string>();
  for (const m of doc.matchAll(/^#### `(\w+)\(([^)]*)\)( → \w+)?`\s*$/gm)) docs.set(m[1], `(${m[2]})${m[3] ?? ""}`);
  for (const [name, sig] of docs) assert.is(sig, source.get(name), `${name}: docs/abi.md vs assembly/`);
});

abi("the example runs as written and equals Model + Optimizer + attribute() bit for bit", async () => {
  const block = doc.slice(doc.indexOf("## Example")).match(/```js\n([\s\S]*?)```/);
  assert.ok(block, "docs/abi.md has a js block under ## Example");
  const lines: string[] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
  const run = new AsyncFunction("bytes", "console", `${block![1]}\nreturn { ex, P, x, loss, c, map };`);
  const r = await run(wasmBytes(), { log: (s: string) => lines.push(s) });
  assert.match(lines.join("\n"), /^loss \d+\.\d{4}, predicted \d, strongest pixel \d+$/);

  // The same network through augsal's model code: init(7), one Adam step on the example's image.
  const f32 = (p: number, n: number) => new Float32Array(r.ex.memory.buffer, p, n).slice();
  const core = loadCore();
  const model = new Model(core, parseSpec("conv8k5p2,relu,maxpool,linear10"), 1);
  model.init(7);
  const opt = new Optimizer(model, ADAM_DEFAULTS);
  const x = f32(r.x, 784);
  model.setInput(x, 1);
  model.setLabels([3], 1);
  model.zeroGrads();
  model.forward(1);
  const loss = model.loss(1, true);
  model.backward(1);
  opt.step();
  assert.is(r.loss, loss, "loss");
  const params = model.getParams();
  const ptrs = [r.P.w1, r.P.b1, r.P.w2, r.P.b2];
  model.tensors.forEach((t, i) => {
    const mine = params.subarray(t.offset, t.offset + t.count);
    assert.equal(Array.from(f32(ptrs[i], t.count)), Array.from(mine), `layer ${t.layer} ${t.name} after the Adam step`);
  });
  const s = attribute(model, x, [0], { target: "predicted" });
  assert.is(r.c, s.predicted[0], "predicted class");
  assert.equal(Array.from(r.map as Float32Array), Array.from(s.abs), "saliency map");
});

abi.run();
