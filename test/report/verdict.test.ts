import { suite } from "uvu";
import * as assert from "uvu/assert";
import { judge, judgeMetric, metricInfo, noiseBand } from "../../src/report/verdict.js";
import { METRIC_ROWS, NOISE, row } from "./fixture.js";

const v = suite("report/verdict");
const cc = metricInfo("cc");
const kl = metricInfo("kl");
const hs = metricInfo("entropySpatial");

v("similarities: beyond below m0 − s0, closer above m0 + s0, within between (edges inclusive)", () => {
  const band = noiseBand(cc, NOISE, undefined)!;
  assert.equal([band.lo, band.hi, band.center], [0.8 - 0.05, 0.8 + 0.05, 0.8]);
  assert.is(judge(cc, 0.5, band), "beyond");
  assert.is(judge(cc, 0.78, band), "within");
  assert.is(judge(cc, band.lo, band), "within");
  assert.is(judge(cc, 0.9, band), "closer");
  assert.is(judge(cc, NaN, band), "unknown");
  assert.is(judge(cc, 0.5, null), "unknown");
});

v("KL: beyond above m0 + s0", () => {
  const band = noiseBand(kl, NOISE, undefined)!;
  assert.is(judge(kl, 0.6, band), "beyond");
  assert.is(judge(kl, 0.27, band), "within");
  assert.is(judge(kl, 0.1, band), "closer");
});

v("entropies: tolerance |H_seed − H0| + s_seed around the baseline's own entropy, both directions", () => {
  const band = noiseBand(hs, NOISE, METRIC_ROWS[0])!;
  assert.ok(Math.abs(band.half - 0.1) < 1e-12, `half ${band.half}`);
  assert.is(band.center, 5.2);
  assert.is(judge(hs, 5.7, band), "beyond");
  assert.is(judge(hs, 4.9, band), "beyond");
  assert.is(judge(hs, 5.21, band), "within");
  assert.is(noiseBand(hs, NOISE, undefined), null, "no baseline row, no band");
});

v("the CC statement names each augmentation, its value and the threshold arithmetic", () => {
  const j = judgeMetric(cc, METRIC_ROWS, NOISE, "orig");
  assert.equal(
    j.items.map((i) => [i.set, i.verdict]),
    [
      ["scaling", "beyond"],
      ["crop", "within"],
    ],
  );
  assert.is(
    j.statement,
    "CC: Scaling (0.500) lies below the noise floor's CC \u2212 sd (0.800 \u2212 0.050 = 0.750): it moves saliency more than retraining does. " +
      "RandCrop stays within the seed noise (CC 0.800 \u00b1 0.050).",
  );
});

v("the entropy statement says which way the maps moved", () => {
  const rows = [...METRIC_ROWS, row("blur", 0.7, 0.3, 4.8, 3.9)];
  const j = judgeMetric(hs, rows, NOISE, "orig");
  assert.ok(
    j.statement.includes(
      "Scaling (5.700) has higher spatial entropy than Orig (5.200 nats) by more than the seed tolerance (0.100): more diffuse maps",
    ),
    j.statement,
  );
  assert.ok(j.statement.includes("Blur (4.800) has lower spatial entropy"), j.statement);
  assert.ok(j.statement.includes("RandCrop stays within 5.200 \u00b1 0.100 nats."), j.statement);
});

v("without a noise floor or with a missing value the statement says it cannot judge", () => {
  const j = judgeMetric(cc, METRIC_ROWS, null, "orig");
  assert.ok(j.items.every((i) => i.verdict === "unknown"));
  assert.is(j.statement, "CC: cannot be judged against the seed noise floor (no second-seed baseline was trained).");
  const rows = METRIC_ROWS.map((r) => (r.set === "scaling" ? { ...r, cc: NaN } : r));
  const k = judgeMetric(cc, rows, NOISE, "orig");
  assert.ok(k.statement.includes("Scaling: \u2013 (value missing)."), k.statement);
  assert.not.ok(k.statement.includes("NaN"));
  const e = judgeMetric(hs, METRIC_ROWS.slice(1), NOISE, "orig");
  assert.ok(e.statement.includes("the baseline (Orig) has no spatial entropy row"), e.statement);
});

v.run();
