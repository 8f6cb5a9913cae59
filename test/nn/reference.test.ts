// The recorded reference state (test/fixtures/reference.bin, written by make-reference.ts; see
// test/fixtures/reference.ts for the format and for when to regenerate it): the engine must recompute
// it bit for bit. A failure prints the first differing pairs and the largest difference.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadCore } from "../../src/node/wasm.js";
import { Model } from "../../src/nn/model.js";
import { PRESETS } from "../../src/nn/spec.js";
import {
  REFERENCE,
  REFERENCE_OPTIMIZERS,
  computeReference,
  decodeReference,
  encodeReference,
  recordSha256,
  referenceImages,
  type RefRecord,
  type StoredRecord,
} from "../fixtures/reference.js";

const path = fileURLToPath(new URL("../../../../test/fixtures/reference.bin", import.meta.url));
const file = decodeReference(readFileSync(path));
const recorded = new Map(file.records.map((r) => [r.name, r]));
const ref = suite("reference state (test/fixtures/reference.bin)");

/** Failure text for a record that is not bit-identical to the recording (its stored elements and the
 *  SHA-256 of all of them), or null: the first few differing pairs among the stored elements and the
 *  largest difference there. */
function difference(actual: RefRecord, want: StoredRecord): string | null {
  if (actual.data.length !== want.shape.reduce((a, b) => a * b, 1)) {
    return `${want.name}: ${actual.data.length} values, the recording has shape [${want.shape}]`;
  }
  const sameHash = recordSha256(actual.data) === want.sha256;
  const pairs: string[] = [];
  let count = 0,
    worst = -1,
    worstAt = -1;
  for (let k = 0; k < want.sample.length; k++) {
    const i = k * want.stride;
    const a = actual.data[i],
      e = want.sample[k];
    if (Object.is(a, e)) continue;
    count++;
    if (pairs.length < 5) pairs.push(`[${i}] ${a} vs ${e}`);
    const d = Number.isNaN(a - e) ? Infinity : Math.abs(a - e);
    if (d > worst) [worst, worstAt] = [d, i];
  }
  const where =
    want.stride === 1
      ? `${count} of ${want.sample.length} values`
      : `${count} of the ${want.sample.length} recorded (every ${want.stride}th) values`;
  if (count === 0 && sameHash) return null;
  if (count === 0)
    return `${want.name}: differs only outside the recorded sample (SHA-256 ${recordSha256(actual.data)} vs ${want.sha256})`;
  return `${want.name}: ${where} differ; first pairs (computed vs recorded): ${pairs.join(", ")}; largest |diff| ${worst} at [${worstAt}]${sameHash ? " (yet the SHA-256 agrees: the file is damaged)" : ""}`;
}

function check(records: RefRecord[], names: (name: string) => boolean): void {
  const wanted = file.records.filter((r) => names(r.name));
  assert.ok(wanted.length > 0, "no such records in the recording");
  const got = new Map(records.map((r) => [r.name, r]));
  const failures: string[] = [];
  for (const w of wanted) {
    const a = got.get(w.name);
    if (!a) failures.push(`${w.name}: not computed`);
    else {
      const d = difference(a, w);
      if (d) failures.push(d);
    }
  }
  if (failures.length) assert.unreachable(`${failures.length} record(s) moved:\n  ${failures.join("\n  ")}`);
}

ref("the file is this format's version and was made with today's parameters", () => {
  assert.equal(file.header.reference, REFERENCE);
  assert.equal(file.header.optimizers, REFERENCE_OPTIMIZERS);
  const names = file.records.map((r) => r.name);
  for (const n of [
    "input",
    "init/0.weight",
    "init/6.bias",
    "logits",
    "loss",
    "grad/0.weight",
    "grad/3.weight",
    "grad/6.bias",
    "dinput",
    "adam/losses",
    "sgd/losses",
  ]) {
    assert.ok(names.includes(n), `record ${n} missing: ${names.join(", ")}`);
  }
  const loss = recorded.get("loss")!.sample[0];
  assert.ok(loss > 1 && loss < 4, `the initial loss of 10 classes is near ln 10: ${loss}`);
  const adam = recorded.get("adam/losses")!.sample;
  assert.ok(adam[2] < adam[0], `three Adam steps on one batch lower its loss: ${adam}`);
  assert.throws(() => decodeReference(readFileSync(path).subarray(0, 100)), /truncated/);
  const other = readFileSync(path);
  other[8] = 99;
  assert.throws(() => decodeReference(other), /format version 99/);
});

ref("the generator and init(seed) give the recorded inputs and initial weights", () => {
  const core = loadCore();
  const model = new Model(core, PRESETS[REFERENCE.arch], REFERENCE.batch);
  model.init(REFERENCE.seed);
  const p = model.getParams();
  const records: RefRecord[] = [
    { name: "input", shape: [], data: referenceImages(core, REFERENCE.batch * model.inputSize) },
    ...model.tensors.map((t) => ({
      name: `init/${t.layer}.${t.name}`,
      shape: t.shape,
      data: p.slice(t.offset, t.offset + t.count),
    })),
  ];
  check(records, (n) => n === "input" || n.startsWith("init/"));
});

// The big weight matrices are stored as a sample, so the computation cannot start from the recorded
// weights: it starts from init(seed) as recorded. A change in the generator or init moves everything
// after it too; the test above names that cause.
let computed: ReturnType<typeof computeReference> | undefined;
const state = () => (computed ??= computeReference(loadCore()));

ref("forward and backward: logits, loss, every parameter gradient and the input gradient", () => {
  check(state().records, (n) => ["logits", "loss", "dinput"].includes(n) || n.startsWith("grad/"));
});

ref("optimizer steps: the losses of each step and the weights after them", () => {
  check(state().records, (n) => n.endsWith("/losses"));
  assert.equal(state().weightsSha256, file.weightsSha256);
});

ref("the whole computation from the seed writes the recorded file byte for byte", () => {
  const bytes = encodeReference(state());
  const want = readFileSync(path);
  assert.is(bytes.length, want.length);
  assert.ok(Buffer.from(bytes).equals(want), "make-reference.js would write a different file: see the tests above");
});

ref("a moved value is reported with its pairs and the largest difference", () => {
  const r = file.records.find((x) => x.name === "grad/3.weight")!;
  const n = r.shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let k = 0; k < r.sample.length; k++) data[k * r.stride] = r.sample[k];
  const moved = data.slice();
  moved[r.stride * 2] = 10;
  const msg = difference({ name: r.name, shape: r.shape, data: moved }, r)!;
  assert.match(msg, /grad\/3\.weight: 1 of the \d+ recorded \(every 8th\) values differ/);
  assert.ok(
    msg.includes(
      `first pairs (computed vs recorded): [16] 10 vs ${r.sample[2]}; largest |diff| ${10 - r.sample[2]} at [16]`,
    ),
    msg,
  );
  const between = data.slice();
  between[1] = 1; // not in the sample: only the hash sees it
  assert.match(
    difference({ name: r.name, shape: r.shape, data: between }, r)!,
    /differs only outside the recorded sample/,
  );
});

ref.run();
