import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEFAULT_CONFIG,
  REPEAT_ID,
  primaryFloor,
  studyJobs,
  studyModels,
  studySets,
  validateConfig,
  defaultRunDir,
  UsageError,
} from "../../src/study/config.js";
import { Variant } from "../../src/core/streams.js";
import { AUG_IDS } from "../../src/sets.js";
import { openRunForWrite } from "../../src/study/run-folder.js";
import { chooseQueries } from "../../src/study/queries.js";
import { loadStudyInputs } from "../../src/study/study.js";
import { freshCore } from "../helpers.js";
import { idxBytes } from "../data/fixtures.js";

const cfg = suite("study/config");

cfg("the default study: orig, Repeat, five augmentations, the two floors and the permuted-label model, one run", () => {
  assert.equal(studySets(DEFAULT_CONFIG), ["orig", "scaling", "crop", "erasing", "distortion", "blur"]);
  const jobs = studyJobs(DEFAULT_CONFIG);
  assert.equal(
    jobs.map((j) => j.id),
    [
      "orig-seed0",
      "repeat-seed0",
      "scaling-seed0",
      "crop-seed0",
      "erasing-seed0",
      "distortion-seed0",
      "blur-seed0",
      "reorder-seed0",
      "retrain-seed0",
      "orig-permuted-seed0",
    ],
  );
  // shared initialisation: every model but the retrain floor starts from the run's weights (variant 0);
  // both floors draw another data order
  assert.equal(
    jobs.map((j) => j.initVariant),
    [0, 0, 0, 0, 0, 0, 0, 0, Variant.FLOOR, 0],
  );
  assert.equal(
    jobs.map((j) => j.orderVariant),
    [0, 0, 0, 0, 0, 0, 0, Variant.FLOOR, Variant.FLOOR, 0],
  );
  assert.equal(
    jobs.map((j) => j.set),
    ["orig", "repeat", "scaling", "crop", "erasing", "distortion", "blur", "orig", "orig", "orig"],
  );
  // the data-randomisation model: Orig's protocol and weights on permuted labels (--no-trust drops it)
  assert.equal(jobs[9].permuteLabels, true);
  assert.equal(
    studyJobs({ ...DEFAULT_CONFIG, trust: false }).map((j) => j.id),
    jobs.slice(0, 9).map((j) => j.id),
  );
  assert.equal(DEFAULT_CONFIG.methods, [
    "vanilla",
    "inputxgrad",
    "smoothgrad",
    "smoothgrad2",
    "vargrad",
    "ig",
    "gradcam",
  ]);
  assert.is(primaryFloor(DEFAULT_CONFIG), "reorder");
  assert.is(defaultRunDir(DEFAULT_CONFIG), "runs/mnist-tutorial-seed0");
});

cfg("runs: run r trains with seed + r, each with its own Repeat and floors; --init independent", () => {
  const c = { ...DEFAULT_CONFIG, seed: 4, runs: 2, aug: ["blur" as const] };
  const jobs = studyJobs(c);
  assert.equal(
    jobs.map((j) => j.id),
    [
      "orig-seed4",
      "repeat-seed4",
      "blur-seed4",
      "reorder-seed4",
      "retrain-seed4",
      "orig-seed5",
      "repeat-seed5",
      "blur-seed5",
      "reorder-seed5",
      "retrain-seed5",
      "orig-permuted-seed4",
    ],
  );
  assert.equal(
    jobs.map((j) => j.run),
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1],
  );
  const ind = studyJobs({ ...c, init: "independent" });
  assert.is(primaryFloor({ ...c, init: "independent" }), "retrain");
  // Orig keeps the run's draws; each set gets its own (named by its stream id, not its position)
  assert.equal(
    ind.slice(0, 5).map((j) => j.initVariant),
    [0, Variant.SET_BASE + REPEAT_ID, Variant.SET_BASE + AUG_IDS.blur, 0, Variant.FLOOR],
  );
  assert.equal(studyModels({ ...c, repeat: false, noiseFloor: false }), ["orig", "blur"]);
  assert.throws(() => validateConfig({ ...c, init: "mixed" as "shared" }), /--init must be 'shared' or 'independent'/);
  assert.throws(() => validateConfig({ ...c, methods: ["vanilla", "nope"] as never }), /unknown method 'nope'/);
});

cfg("validation names the parameter", () => {
  assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, copies: -1 }), /--copies must be an integer from 0/);
  assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, aug: ["blur", "blur"] }), /lists an augmentation twice/);
  assert.throws(() => validateConfig({ ...DEFAULT_CONFIG, target: "random" as "label" }), /--target must be/);
  assert.not.throws(() => validateConfig(DEFAULT_CONFIG));
});

cfg(
  "run folder: new, resume with the same configuration, refuse another, --force clears augsal's files only",
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "augsal-cfg-"));
    try {
      const write = async (config: typeof DEFAULT_CONFIG, force: boolean) => {
        const s = await openRunForWrite(dir, config, { force });
        try {
          if (s.mode === "new") s.rf.writeJson("config.json", { augsal: "t", config });
          s.rf.write("weights/orig-seed0.bin", "w");
        } finally {
          await s.close();
        }
        return s.mode;
      };
      assert.is(await write(DEFAULT_CONFIG, false), "new");
      assert.is(
        await write({ ...DEFAULT_CONFIG, strength: { blur: 1.5 } }, false),
        "resume",
        "a spelled-out default is the same configuration",
      );
      try {
        await openRunForWrite(dir, { ...DEFAULT_CONFIG, epochs: 3 }, { force: false });
        assert.unreachable();
      } catch (e) {
        assert.instance(e, UsageError);
        assert.match((e as Error).message, /holds a run of another configuration \(epochs: 30 there, 3 now\)/);
      }
      writeFileSync(join(dir, "weights", "mine.bin"), "mine");
      writeFileSync(join(dir, "notes.txt"), "mine");
      const s = await openRunForWrite(dir, { ...DEFAULT_CONFIG, epochs: 3 }, { force: true });
      assert.is(s.mode, "new");
      assert.not.ok(existsSync(join(dir, "config.json")));
      assert.not.ok(existsSync(join(dir, "weights", "orig-seed0.bin")));
      await s.close();
      assert.ok(existsSync(join(dir, "notes.txt")), "a user's own file survives --force");
      assert.ok(existsSync(join(dir, "weights", "mine.bin")), "and one in augsal's folders too");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

cfg("queries: per class, without replacement, from the seed, and the same in a fresh instance", () => {
  const labels = Array.from({ length: 500 }, (_, i) => i % 10);
  const q = chooseQueries(freshCore(), labels, 3, 7, 10);
  assert.is(q.length, 30);
  assert.is(new Set(q).size, 30);
  q.forEach((idx, k) => assert.is(labels[idx], Math.floor(k / 3)));
  assert.equal(chooseQueries(freshCore(), labels, 3, 7, 10), q);
  assert.not.equal(chooseQueries(freshCore(), labels, 3, 8, 10), q);
  assert.throws(() => chooseQueries(freshCore(), labels, 51, 7, 10), /class 0 has 50 test images, 51 asked for/);
});

cfg("a dataset with more classes than the architecture predicts is a usage error before any work", () => {
  const dir = mkdtempSync(join(tmpdir(), "augsal-classes-"));
  try {
    // 22 training and 11 test images of 28 x 28, labels 0..10: eleven classes.
    writeFileSync(join(dir, "train-images-idx3-ubyte"), idxBytes([22, 28, 28]));
    writeFileSync(
      join(dir, "train-labels-idx1-ubyte"),
      idxBytes(
        [22],
        Array.from({ length: 22 }, (_, i) => i % 11),
      ),
    );
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idxBytes([11, 28, 28]));
    writeFileSync(
      join(dir, "t10k-labels-idx1-ubyte"),
      idxBytes(
        [11],
        Array.from({ length: 11 }, (_, i) => i),
      ),
    );
    const config = { ...DEFAULT_CONFIG, data: `idx:${dir}`, trainPerClass: 1, valPerClass: 1 };
    try {
      loadStudyInputs(freshCore(), config, { workers: 1 });
      assert.unreachable("eleven classes on a ten-output model must be refused");
    } catch (e) {
      assert.instance(e, UsageError);
      assert.match(
        (e as Error).message,
        /--arch: the last layer gives 10 class scores .* has labels 0\.\.10: end with linear11/,
      );
    }
    // With a matching last layer the same data loads and splits.
    const ok = loadStudyInputs(freshCore(), { ...config, arch: "conv16k5p2,relu,maxpool,linear11" }, { workers: 1 });
    assert.is(ok.ds.classes, 11);
    assert.is(ok.split.train.length, 11);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

cfg.run();
