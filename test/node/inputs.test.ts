// Input fingerprints and configuration normalisation: equivalent command lines are one configuration,
// and a changed data file is named.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileSha256, fingerprintInputs, inputChanges } from "../../src/node/fingerprint.js";
import {
  configDiff,
  fullArchitecture,
  normalizeArch,
  normalizeConfig,
  normalizeDataSpec,
  resolvedStrength,
} from "../../src/study/normalize.js";
import { DEFAULT_CONFIG } from "../../src/study/config.js";
import { PRESETS } from "../../src/nn/spec.js";

const inp = suite("node/fingerprint+normalize");
const tmp = mkdtempSync(join(tmpdir(), "augsal-inputs-"));

inp("fileSha256 equals the SHA-256 of the bytes, across the 1 MiB chunk boundary", () => {
  const bytes = Buffer.alloc((1 << 20) + 12345);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31) & 255;
  const p = join(tmp, "big");
  writeFileSync(p, bytes);
  assert.equal(fileSha256(p), { bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
  assert.throws(
    () => fileSha256(join(tmp, "missing")),
    new RegExp(`cannot read ${join(tmp, "missing")}: no such file`),
  );
});

inp("inputChanges names the changed file; a moved identical file is no change", () => {
  mkdirSync(join(tmp, "a"));
  writeFileSync(join(tmp, "a", "x"), "one");
  const before = fingerprintInputs({ trainImages: join(tmp, "a", "x") });
  assert.equal(inputChanges(before, before), []);
  writeFileSync(join(tmp, "a", "y"), "one");
  assert.equal(inputChanges(before, fingerprintInputs({ trainImages: join(tmp, "a", "y") })), []);
  writeFileSync(join(tmp, "a", "x"), "two");
  const ch = inputChanges(before, fingerprintInputs({ trainImages: join(tmp, "a", "x") }));
  assert.is(ch.length, 1);
  assert.match(ch[0], new RegExp(`${join(tmp, "a", "x")} changed`));
});

inp("idx:DIR/, idx:DIR and idx:./DIR are one absolute, normalised path; named datasets stay", () => {
  assert.is(normalizeDataSpec("idx:data/", "/home/u"), "idx:/home/u/data");
  assert.is(normalizeDataSpec("idx:./data", "/home/u"), "idx:/home/u/data");
  assert.is(normalizeDataSpec("idx:/x/../home/u/data//", "/elsewhere"), "idx:/home/u/data");
  assert.is(normalizeDataSpec("mnist"), "mnist");
  assert.is(normalizeDataSpec("fashion"), "fashion");
});

inp("a spelled-out default strength equals leaving it out; only the studied augmentations are kept", () => {
  const a = normalizeConfig({ ...DEFAULT_CONFIG, aug: ["blur", "crop"], strength: {} });
  const b = normalizeConfig({ ...DEFAULT_CONFIG, aug: ["blur", "crop"], strength: { blur: 1.5 } });
  assert.equal(configDiff(a as never, b as never), []);
  assert.equal(a.strength, { blur: 1.5, crop: 4 });
  assert.equal(resolvedStrength({ aug: ["crop"], strength: {}, cropMode: "resize" }), { crop: 0.6 });
  const c = normalizeConfig({ ...DEFAULT_CONFIG, aug: ["blur"], strength: { blur: 2 } });
  assert.equal(configDiff(a as never, c as never), ["aug", "strength"]);
});

inp("an --arch written out layer by layer is the preset it equals; spaces do not matter", () => {
  assert.is(normalizeArch("conv16k5p2,relu,maxpool,conv32k5p2,relu,maxpool,linear10"), "tutorial");
  assert.is(normalizeArch(" conv8k3p1 , relu,linear10"), "conv8k3p1,relu,linear10");
  assert.is(normalizeArch("tutorial"), "tutorial");
  const full = fullArchitecture("conv8k3p1,relu,linear10", 32, 32);
  assert.equal(full.input, [1, 32, 32]);
  assert.equal(full.layers, [{ type: "conv", out: 8, k: 3, pad: 1 }, { type: "relu" }, { type: "linear", out: 10 }]);
  assert.equal(fullArchitecture("tutorial", 28, 28).layers, PRESETS.tutorial.layers);
});

inp.run();
