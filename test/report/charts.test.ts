// The report's charts (src/report/charts/): every spec builder's output compiles with vega-lite's
// compile() without errors or warnings, holds the rows it was given, and draws what its figure promises
// (the best epoch on every curve, ln(pixels) on the entropy axis); the static SVG is the same bytes on
// every call and the same as vega's own View#toSVG.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  chartFiles,
  chartHtml,
  chartSvg,
  chartSvgAsync,
  claimChart,
  compileChart,
  entropyChart,
  curvesChart,
  equivarianceChart,
  faithfulnessChart,
  localisationChart,
  reportCharts,
  sanityChart,
  similarityChart,
  trainingChart,
  trainingRows,
  vegaRuntimeHtml,
  type Spec,
} from "../../src/report/charts/index.js";
import { modelScales } from "../../src/report/charts/style.js";
import { OKABE_ITO } from "../../src/report/svg.js";
import type { StudyStats } from "../../src/report/types.js";
import { renderAll } from "../../src/report/index.js";
import { smallInput } from "./fixture.js";
import { CLAIMS, CURVES, TRUST, trainingInput } from "./charts-fixture.js";
import { checkWellFormed } from "./xml.js";

const c = suite("report/charts");

function clean(spec: Spec): void {
  const { warnings } = compileChart(spec);
  assert.equal(warnings, [], "vega-lite compiles the spec without warnings");
}

/** Every layer (of layers, concat parts and facet specs) of a spec, depth first. */
function layers(spec: Spec): Spec[] {
  const out: Spec[] = [spec];
  for (const key of ["layer", "concat", "hconcat", "vconcat"])
    for (const s of (spec[key] as Spec[] | undefined) ?? []) out.push(...layers(s));
  if (spec.spec) out.push(...layers(spec.spec as Spec));
  return out;
}

c("training curves: per-step and per-epoch rows, the smoothing slider, a best-epoch ring on each panel", () => {
  const input = trainingInput();
  const spec = trainingChart(input);
  clean(spec);
  const { steps, epochs } = trainingRows(input);
  // One row per step plus the running sum's 0 at step 0, per model; one row per epoch per model.
  assert.is(steps.length, 3 * (12 + 1));
  assert.is(epochs.length, 3 * 3);
  assert.equal((spec.datasets as { steps: Spec[] }).steps, steps);
  // The best epochs of Table 1 (orig 2, scaling 3, crop 3) are flagged, one per model.
  assert.equal(
    epochs.filter((e) => e.best).map((e) => [e.model, e.epoch]),
    [
      ["Orig", 2],
      ["Scaling", 3],
      ["RandCrop", 3],
    ],
  );
  const panels = spec.concat as Spec[];
  assert.is(panels.length, 3);
  for (const p of panels) {
    const rings = layers(p).filter((l) => JSON.stringify(l.transform ?? []).includes('"datum.best"'));
    assert.is(rings.length, 1, `a best-epoch ring in ${String(p.title)}`);
  }
  const smooth = (spec.params as Spec[])[0];
  assert.is(smooth.name, "smooth");
  assert.is(smooth.value, 4, "smoothing starts at one epoch's steps");
  assert.match(JSON.stringify(spec), /"bind":"legend"/);
  assert.match(JSON.stringify(spec), /"bind":"scales"/);
  // The running sum's differences are the window means: at step 8 with k = 4, the mean of steps 5..8.
  const orig = steps.filter((s) => s.model === "Orig");
  const mean = ((orig[8].cum as number) - (orig[4].cum as number)) / 4;
  const h = input.histories[0].stepLoss!;
  assert.ok(Math.abs(mean - (h[4] + h[5] + h[6] + h[7]) / 4) < 1e-9);
});

c("training curves without per-step losses: the epoch means, still ringed", () => {
  const spec = trainingChart(smallInput());
  clean(spec);
  assert.is((spec.datasets as { steps: Spec[] }).steps.length, 0);
  assert.is(spec.params, undefined, "no smoothing slider");
  assert.match(JSON.stringify((spec.concat as Spec[])[0]), /datum\.best/);
});

c("entropy: both readings, the axis fits the data, and the maximum ln 784 as a rule", () => {
  const input = smallInput();
  const spec = entropyChart(input, { pixels: 784, friedman: ["Friedman spatial entropy: p = 0.01"] });
  clean(spec);
  const refs = (spec.datasets as { refs: Spec[] }).refs;
  const max = refs.filter((r) => r.kind === "limit");
  assert.is(max.length, 1);
  assert.is(max[0].value, Number(Math.log(784).toPrecision(6)));
  assert.match(String(max[0].label), /ln 784 = 6\.66/);
  assert.is(max[0].panel, 0, "on the spatial panel");
  const rows = (spec.datasets as { rows: Spec[] }).rows;
  assert.is(rows.length, 2 * input.metrics.length);
  const panels = spec.concat as Spec[];
  assert.match(JSON.stringify(panels[0]), /Entropy \(nats\)/);
  assert.match(JSON.stringify(panels[1]), /Entropy \(bits\)/);
  for (const p of panels) assert.match(JSON.stringify(p), /"zero":false/);
  assert.match(JSON.stringify(spec.title), /Friedman/);
  // Without the pixel count no maximum is drawn (it is computed, never assumed).
  const none = entropyChart(input);
  assert.is((none.datasets as { refs: Spec[] }).refs.filter((r) => r.kind === "limit").length, 0);
});

c("Figure 5: CC and KL of the augmented models with the noise band; Okabe–Ito colours and markers", () => {
  const input = smallInput();
  const spec = similarityChart(input);
  clean(spec);
  const rows = (spec.datasets as { rows: Spec[] }).rows;
  assert.is(rows.length, 2 * 2, "two augmented models, two metrics; the baseline left out");
  const refs = (spec.datasets as { refs: Spec[] }).refs;
  assert.equal(
    refs.map((r) => r.kind),
    ["band", "rule", "band", "rule"],
  );
  const sc = modelScales(["scaling", "orig", "crop"]);
  assert.equal(sc.domain, ["Orig", "Scaling", "RandCrop"]);
  assert.equal(sc.colors, [OKABE_ITO.black, OKABE_ITO.orange, OKABE_ITO.skyBlue]);
  assert.equal(sc.shapes, ["circle", "square", "triangle-up"]);
});

c("stats: the accuracy-vs-saliency claim with rho, interval and p, one panel per metric", () => {
  const spec = claimChart({ claims: CLAIMS } as StudyStats)!;
  clean(spec);
  assert.is((spec.datasets as { points: Spec[] }).points.length, 4 * 3);
  assert.match(JSON.stringify(spec.title), /Spearman ρ = \+0\.500, 95% CI \[−0\.900, \+0\.990\], p = 0\.5000/);
  assert.is((spec.concat as Spec[]).length, 2);
  assert.is(claimChart({ claims: { ...CLAIMS, saliencyVsAccuracy: [] } } as unknown as StudyStats), null);
});

c("trust: sanity curves, localisation, deletion/insertion and equivariance compile with their rows", () => {
  const sanity = sanityChart(TRUST)!;
  clean(sanity);
  assert.is((sanity.data as { values: Spec[] }).values.length, 12);
  assert.match(JSON.stringify(sanity), /"v":0\.5/);
  const loc = localisationChart(TRUST)!;
  clean(loc);
  assert.is((loc.datasets as { rows: Spec[] }).rows.length, 4);
  assert.equal(
    (loc.datasets as { refs: Spec[] }).refs.map((r) => r.value),
    [0.19],
  );
  const faith = faithfulnessChart(TRUST)!;
  clean(faith);
  assert.is((faith.datasets as { rows: Spec[] }).rows.length, 2 * 6);
  const eq = equivarianceChart(TRUST)!;
  clean(eq);
  assert.is((eq.datasets as { rows: Spec[] }).rows.length, 8);
  assert.equal((eq.params as { bind: { options: string[] } }[])[0].bind.options, ["vanilla", "ig"]);
  const empty = {
    ...TRUST,
    trust: { ...TRUST.trust, sanity: [], localisation: [], faithfulness: [], equivariance: [] },
  };
  assert.equal(
    [sanityChart(empty), localisationChart(empty), faithfulnessChart(empty), equivarianceChart(empty)],
    [null, null, null, null],
  );
});

c("trust: the deletion/insertion curves, at most 50 points each with the last kept, one method at a time", () => {
  const spec = curvesChart(TRUST, CURVES)!;
  clean(spec);
  const rows = (spec.data as { values: { x: number[]; p: number[]; kind: string }[] }).values;
  assert.is(rows.length, CURVES.length * 2);
  for (const r of rows) {
    assert.ok(r.x.length <= 50 && r.x.length === r.p.length);
    assert.is(r.x[r.x.length - 1], 1, "the last point (every pixel changed) is kept");
  }
  assert.equal((spec.params as { bind: { options: string[] } }[])[0].bind.options, ["vanilla", "ig", "random"]);
  assert.is(curvesChart(TRUST, undefined), null);
});

c("static SVG: the same bytes on every call, the same as vega's View#toSVG, well-formed", async () => {
  const input = { ...trainingInput(), explain: TRUST, mapPixels: 784, faithfulnessCurves: CURVES };
  const charts = reportCharts(input);
  assert.equal(
    charts.map((x) => x.name),
    [
      "figure2",
      "figure3",
      "figure5",
      "trust-sanity",
      "trust-localisation",
      "trust-faithfulness",
      "trust-curves",
      "trust-equivariance",
    ],
  );
  for (const ch of charts) {
    const a = chartSvg(ch.spec);
    const b = chartSvg(ch.spec);
    assert.is(a, b, `${ch.name}: deterministic`);
    assert.is(a, await chartSvgAsync(ch.spec), `${ch.name}: as View#toSVG draws it`);
    assert.ok(a.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg'), ch.name);
    checkWellFormed(a);
    // Rebuilt from the same input, the spec is the same bytes too.
    assert.is(JSON.stringify(ch.spec), JSON.stringify(reportCharts(input).find((x) => x.name === ch.name)!.spec));
  }
  const figure3 = chartSvg(charts[1].spec);
  assert.match(figure3, /max ln 784 = 6\.66/);
});

c("renderAll writes each chart's SVG and its spec with the data inlined", () => {
  const input = { ...trainingInput(), mapPixels: 784 };
  const files = renderAll(input).files;
  const spec = files.find((f) => f.path === "figures/figure2.vl.json")!;
  const parsed = JSON.parse(spec.data as string) as Spec;
  assert.equal(parsed, JSON.parse(JSON.stringify(trainingChart(input))));
  assert.ok(String(parsed.$schema).includes("vega-lite/v6"));
  assert.ok((parsed.datasets as { steps: Spec[] }).steps.length > 0, "data inlined");
  assert.equal(
    chartFiles([{ name: "x", spec: parsed }], () => "svg").map((f) => f.path),
    ["figures/x.svg", "figures/x.vl.json"],
  );
});

c("Figure 3's caption names both readings, the maximum ln(pixels) and the maps' share of it", () => {
  // smallInput's spatial entropies are 5.2, 5.7 and 5.21 nats: 78%, 86% and 78% of ln 784 = 6.66.
  const html = renderAll({ ...smallInput(), mapPixels: 784 }).files.find((f) => f.path === "report.html")!
    .data as string;
  const caption = html.slice(
    html.indexOf("<b>Figure 3.</b>"),
    html.indexOf("</figcaption>", html.indexOf("<b>Figure 3.</b>")),
  );
  assert.match(caption, /spatial entropy<\/i> in nats/);
  assert.match(caption, /histogram entropy<\/i> in bits/);
  assert.match(caption, /ln 784 = 6\.66/);
  assert.match(caption, /78\u201386% of that maximum/);
});

c("page side: the spec's JSON cannot end its script element; the runtime inlines the three libraries", () => {
  const html = chartHtml({ name: "t", spec: { title: "</script><b>", data: { values: [{ a: "<!--" }] } } });
  assert.not.ok(html.slice(html.indexOf("<script")).includes("</script><b>"));
  assert.ok(html.includes("\\u003c/script>"));
  const rt = vegaRuntimeHtml();
  assert.is((rt.match(/<script>/g) ?? []).length, 4, "vega, vega-lite, vega-embed, the page script");
  assert.not.ok(/<script[^>]*\ssrc=/.test(rt));
  assert.not.ok(/sourceMappingURL/.test(rt), "no source-map request");
});

c.run();
