import { suite } from "uvu";
import * as assert from "uvu/assert";
import { freshCore } from "../helpers.js";
import { nameWord, withCoreRng, type Rng } from "../../src/core/rng.js";
import { Stream } from "../../src/core/streams.js";
import {
  epochsToReach,
  studyStats,
  type ModelRow,
  type StudyDesign,
  type TidyMetricRow,
} from "../../src/stats/study.js";

const core = freshCore();
const withRng = <T>(name: string, fn: (rng: Rng) => T): T =>
  withCoreRng(core, { seed: 0, purpose: Stream.STATS, a: nameWord(name) }, fn);

/** Synthetic tidy rows: Crop's maps always 0.3 CC further from Orig than the reorder floor; Blur's
 *  the same as the floor's up to a symmetric wiggle; entropies differ by set. */
function synthetic(runs: number[], queries: number) {
  const sets = ["orig", "repeat", "blur", "crop", "reorder", "retrain"];
  const rows: TidyMetricRow[] = [];
  const models: ModelRow[] = [];
  for (const run of runs) {
    for (const [si, set] of sets.entries()) {
      for (let q = 0; q < queries; q++) {
        const wiggle = (((run * 7 + q * 3 + si) % 5) - 2) / 100; // -0.02 .. 0.02
        const floorCC = 0.6 + wiggle;
        const cc = set === "orig" ? 1 : set === "crop" ? floorCC - 0.3 : set === "blur" ? 0.6 - wiggle : floorCC;
        rows.push({ run, set, method: "vanilla", query: q, label: q % 10, metric: "cc", value: cc });
        const h = 5 + si / 10 + wiggle;
        rows.push({ run, set, method: "vanilla", query: q, label: q % 10, metric: "entropySpatial", value: h });
      }
      const valAcc = set === "crop" ? [0.2, 0.5, 0.8, 0.9] : [0.6, 0.85, 0.9, 0.9];
      const test = 0.8 + (set === "crop" ? 0.05 : 0) + run / 1000;
      models.push({ run, set, bestVal: Math.max(...valAcc), bestEpoch: 3, test, valAcc });
    }
  }
  const design: StudyDesign = {
    init: "shared",
    baseline: "orig",
    repeat: "repeat",
    floors: ["reorder", "retrain"],
    primaryFloor: "reorder",
    sets: ["repeat", "blur", "crop"],
    methods: ["vanilla"],
    metrics: ["cc", "entropySpatial"],
    runSeeds: runs,
    queries,
    classes: 10,
  };
  return { design, rows, models };
}

const s = suite("stats/study");

s("one run: tests across queries; a clear effect is found and Holm-corrected", () => {
  const { design, rows, models } = synthetic([0], 20);
  const st = studyStats(design, rows, models, { withRng, reps: 999 });
  assert.is(st.design.unit, "query");
  assert.is(st.maps.length, 6);
  const crop = st.maps.find((t) => t.set === "crop" && t.metric === "cc")!;
  assert.is(crop.n, 20);
  assert.ok(Math.abs(crop.meanDiff + 0.3) < 1e-12, `mean diff ${crop.meanDiff}`);
  assert.ok(crop.interval.hi < 0 && crop.interval.lo < crop.meanDiff);
  assert.is(crop.test.method, "exact");
  assert.is(crop.p, 2 / 2 ** 20); // every difference negative: only the two extreme patterns
  assert.is(crop.pHolm, Math.min(1, 6 * crop.p));
  assert.is(crop.verdict, "further from the baseline than the reorder floor");
  const blur = st.maps.find((t) => t.set === "blur" && t.metric === "cc")!;
  assert.ok(blur.pHolm > 0.05, `blur pHolm ${blur.pHolm}`);
  assert.is(blur.verdict, "no difference shown");
  // accuracy across runs needs runs: with one there is no test
  assert.is(st.accuracy[0].n, 1);
  assert.match(st.accuracy[0].verdict, /cannot tell at n = 1 runs/);
  assert.match(st.design.note, /this training run only/);
});

s("each attribution method is its own Holm family: a second method does not weaken the first's tests", () => {
  const { design, rows, models } = synthetic([0], 20);
  const one = studyStats(design, rows, models, { withRng, reps: 999 });
  const twoRows = [...rows, ...rows.map((r) => ({ ...r, method: "ig" }))];
  const two = studyStats({ ...design, methods: ["vanilla", "ig"] }, twoRows, models, { withRng, reps: 999 });
  assert.is(two.maps.length, 12);
  const crop1 = one.maps.find((t) => t.set === "crop" && t.metric === "cc")!;
  for (const method of ["vanilla", "ig"]) {
    const crop2 = two.maps.find((t) => t.method === method && t.set === "crop" && t.metric === "cc")!;
    assert.is(crop2.pHolm, crop1.pHolm, method);
    assert.is(crop2.pHolm, Math.min(1, 6 * crop2.p));
    assert.is(crop2.minHolmP, crop1.minHolmP);
  }
});

s("six runs: per-run means; sign-flip with Holm over 6 tests cannot reach 0.05 and says which n can", () => {
  const { design, rows, models } = synthetic([0, 1, 2, 3, 4, 5], 4);
  const st = studyStats(design, rows, models, { withRng, reps: 999 });
  assert.is(st.design.unit, "run");
  const crop = st.maps.find((t) => t.set === "crop" && t.metric === "cc")!;
  assert.is(crop.n, 6);
  assert.equal(crop.inputs.units, [0, 1, 2, 3, 4, 5]);
  assert.is(crop.p, 2 / 64);
  assert.is(crop.minHolmP, 6 * (2 / 64));
  assert.is(crop.reachable, false);
  assert.is(crop.unitsNeeded, 8); // 6 x 2/2^8 = 0.047 < 0.05
  assert.match(crop.verdict, /cannot tell at n = 6 runs.*needs n >= 8/);
  // the t-test beside it has no such floor
  assert.ok(crop.t.p < 1e-6);
  // claim 2: entropies differ by set in every block
  assert.ok(st.claims.entropyVariation[0].p < 1e-6);
  assert.is(st.claims.entropyVariation[0].blocks, 24);
  // claim 1 gets an interval over runs
  assert.ok(st.claims.saliencyVsAccuracy[0].interval !== null);
  assert.is(st.claims.saliencyVsAccuracy[0].n, 18);
  // claim 3: 95% of 0.9 is 0.855: crop reaches it at epoch 4 (0.9), the others at 3 (0.85 falls short)
  const conv = st.claims.convergence;
  assert.equal(
    conv.perSet.map((x) => x.mean),
    [3, 3, 3, 4],
  );
  assert.is(conv.vsBaseline.find((t) => t.set === "crop")!.meanDiff, 1);
});

s("the same inputs give the same bytes", () => {
  const { design, rows, models } = synthetic([0, 1, 2], 5);
  const a = JSON.stringify(studyStats(design, rows, models, { withRng, reps: 499 }));
  const b = JSON.stringify(studyStats(design, rows, models, { withRng, reps: 499 }));
  assert.is(a, b);
});

s("near-chance models are named", () => {
  const { design, rows, models } = synthetic([0], 3);
  models[0].bestVal = 0.15;
  const st = studyStats(design, rows, models, { withRng, reps: 99 });
  assert.equal(st.nearChance.models, [{ run: 0, set: "orig", bestVal: 0.15 }]);
  assert.match(st.nearChance.warning!, /below twice chance \(0\.20\)/);
});

s("epochs to 95% of the best validation accuracy", () => {
  assert.is(epochsToReach([0.1, 0.5, 0.9, 1.0]), 4);
  assert.is(epochsToReach([0.1, 0.5, 0.95, 1.0]), 3);
  assert.is(epochsToReach([0.5]), 1);
  assert.ok(Number.isNaN(epochsToReach([])));
});

s.run();

const t = suite("stats/tidy");

t("CSV: header, quoting, missing numbers empty; JSON: nulls", async () => {
  const { toCsv, toTidyJson } = await import("../../src/stats/tidy.js");
  const rows = [
    { run: 0, set: "orig", label: "a,b", value: 0.1 },
    { run: 1, set: 'say "x"', label: "", value: NaN },
  ];
  assert.is(toCsv(rows, ["run", "set", "label", "value"]), 'run,set,label,value\n0,orig,"a,b",0.1\n1,"say ""x""",,\n');
  assert.equal(JSON.parse(toTidyJson(rows, ["run", "value"])), [
    { run: 0, value: 0.1 },
    { run: 1, value: null },
  ]);
});

t.run();
