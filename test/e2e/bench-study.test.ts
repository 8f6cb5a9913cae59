// `npm run bench:study -- --quick` runs both sides on a tiny IDX folder, one round, and the work they
// report agrees with the configuration's count (no timing is checked: tests check bytes, benchmarks
// speed). The PyTorch side runs when /usr/bin/python3 imports torch; otherwise the script must say it
// skipped it, and only augsal's counts are checked. Also: the temporary run folders are gone after.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tinyData } from "./idx-subset.js";
import { DEFAULT_CONFIG } from "../../src/study/config.js";
import { studyWork } from "../../bench/study-work.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const script = join(root, "build", "ts", "bench", "study-work.js");
const t = suite("bench:study --quick");

const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"]).status === 0;
const ours = () => readdirSync(tmpdir()).filter((f) => f.startsWith("augsal-bench-study-"));

t("runs both sides once and their work counts agree with the configuration", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-test-bench-study-"));
  try {
    const data = tinyData(join(dir, "data"), 2000, 200);
    const before = ours();
    const r = spawnSync(process.execPath, [script, "--quick", "--rounds", "1", "--json", "--data", `idx:${data}`], {
      encoding: "utf8",
    });
    assert.is(r.status, 0, r.stderr);
    const o = JSON.parse(r.stdout) as {
      skip?: string;
      agree: boolean;
      disagreements: string[];
      expected: { models: number; trainImages: number; evalImages: number; maps: number };
      rounds: { augsal: { wall: number; work: object }; torch: { wall: number; work: object } | null }[];
    };
    // the quick configuration on 10 classes and 200 test images, counted independently of the script
    const c = { ...DEFAULT_CONFIG, data: `idx:${data}`, epochs: 2, steps: 2, methods: ["vanilla" as const] };
    const w = studyWork({ ...c, trust: false }, 10, 200);
    assert.equal(o.expected, { models: w.jobs, trainImages: w.trainImages, evalImages: w.evalImages, maps: w.maps });
    // spelled out once: 9 models (no permuted-label model without trust); Orig and its two floors train
    // on 100 images at batch 100 / 2 steps, Repeat and the five augmented sets on 1,100 at batch 550;
    // each validates on 1,000 images per epoch and tests on the 200
    assert.is(o.expected.models, 9);
    assert.is(o.expected.trainImages, 3 * 2 * 2 * 50 + 6 * 2 * 2 * 550);
    assert.is(o.expected.evalImages, 9 * (2 * 1000 + 200));
    assert.is(o.expected.maps, 9 * 10);
    assert.is(o.rounds.length, 1);
    assert.equal(o.rounds[0].augsal.work, o.expected);
    assert.ok(o.rounds[0].augsal.wall > 0);
    if (hasTorch) {
      assert.is(o.skip, undefined);
      assert.equal(o.rounds[0].torch!.work, o.expected);
      assert.ok(o.rounds[0].torch!.wall > 0);
    } else {
      assert.match(o.skip ?? "", /cannot import torch/);
      assert.is(o.rounds[0].torch, null);
    }
    assert.ok(o.agree, o.disagreements.join("; "));
    assert.equal(ours(), before, "the script's temporary folders are deleted");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t("a bad flag is a usage error (exit 2) naming it", () => {
  const r = spawnSync(process.execPath, [script, "--rounds", "0"], { encoding: "utf8" });
  assert.is(r.status, 2);
  assert.match(r.stderr, /--rounds takes a positive integer, got 0/);
});

t.run();
