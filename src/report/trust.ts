// The report's section on attribution methods and on whether their maps can be trusted: per method
// and model, the sanity checks (Adebayo et al. 2018), localisation on the digit, deletion/insertion
// (Petsiuk et al. 2018) and equivariance under the augmentations, each a table and a simple dot chart.
// Plain data in (the study's results.json `explain` section), strings out. Another issue redesigns the
// report; this keeps to tables and one chart type.
import { escapeXml, fixed, meanSd, MISSING, typographic } from "./format.js";
import { chartFigureHtml } from "./charts/runtime.js";
import {
  curvesChart,
  equivarianceChart,
  faithfulnessChart,
  localisationChart,
  sanityChart,
  type CurveRows,
} from "./charts/trust.js";
import { setLabel, sortBySet, type TrustReport } from "./types.js";

const esc = (s: string) => escapeXml(s);
const num = (s: string) => esc(typographic(s));

function table(caption: string, head: string[], rows: string[][]): string {
  return (
    `<div class="tablewrap"><table class="metrics"><caption>${caption}</caption>` +
    `<thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("")}</tbody></table></div>`
  );
}

/** The section's HTML. */
export function trustHtml(r: TrustReport, baselineSet: string, curves?: CurveRows): string {
  const label = (m: string) => r.labels[m] ?? m;
  const T = r.trust;
  const sets = sortBySet([...new Set(T.verdicts.map((v) => v.set))].map((set) => ({ set }))).map((s) => s.set);
  const ms = (m: number, s: number) => num(meanSd(m, s, 3));
  const f3 = (v: number) => num(fixed(v, 3));
  const chartOr = (spec: ReturnType<typeof sanityChart>, name: string, cap: string) =>
    spec ? chartFigureHtml({ name, spec }, cap) : "";
  let html =
    `<p>Each method's maps of the same query images, from every model. The definitions and defaults are in each ` +
    `module of src/explain/ ` +
    `(${r.methods.map((m) => esc(label(m))).join(", ")}). Grad-CAM maps keep their raw magnitudes (no per-image ` +
    `min-max), so models compare.</p>`;

  // Per-method comparison with the baseline.
  html += table(
    `<b>Table M.</b> Each model's maps against ${esc(setLabel(baselineSet))}'s maps of the same method: CC and ` +
      `Spearman of the absolute maps, mean \u00b1 sd over the queries.`,
    ["Method", ...sets.filter((s) => s !== baselineSet).map((s) => esc(setLabel(s)))],
    r.methods.map((m) => [
      esc(label(m)),
      ...sets
        .filter((s) => s !== baselineSet)
        .map((s) => {
          const row = r.metrics.find((x) => x.method === m && x.set === s);
          return row ? `${ms(row.cc, row.ccSd)}<br><span class="meta">\u03c1 ${f3(row.spearman)}</span>` : MISSING;
        }),
    ]),
  );

  // Sanity checks.
  const sanity = (m: string, s: string, test: string, step?: string) =>
    T.sanity.filter((x) => x.method === m && x.set === s && x.test === test && (step === undefined || x.step === step));
  const steps = [...new Set(T.sanity.filter((x) => x.test === "cascading").map((x) => x.step))];
  const indSteps = [...new Set(T.sanity.filter((x) => x.test === "independent").map((x) => x.step))];
  const sanityRows: string[][] = [];
  for (const m of r.methods) {
    for (const s of sets) {
      const casc = steps.map((st) => sanity(m, s, "cascading", st)[0]);
      const last = casc[casc.length - 1];
      const ind = indSteps.map((st) => sanity(m, s, "independent", st)[0]);
      const data = sanity(m, s, "data")[0];
      const v = T.verdicts.find((x) => x.method === m && x.set === s);
      sanityRows.push([
        `${esc(label(m))} \u00b7 ${esc(setLabel(s))}`,
        ...casc.map((c) => f3(c?.spearmanAbs)),
        f3(last?.spearmanSigned),
        f3(last?.ssim),
        ...ind.map((c) => f3(c?.spearmanAbs)),
        data ? f3(data.spearmanAbs) : MISSING,
        v ? (v.fails === null ? "no verdict" : v.fails ? `<b>fails</b>` : "passes") : MISSING,
      ]);
    }
  }
  html +=
    `<h3>Do the maps depend on the model? (sanity checks)</h3>` +
    table(
      `<b>Table S.</b> Sanity checks (Adebayo et al. 2018): Spearman correlation of the absolute maps with the ` +
        `trained model's after re-initialising the layers ` +
        `from the top down (cascading; our seeded Kaiming init), the signed maps' Spearman and the SSIM after the ` +
        `last step, one layer at a time (independent), ` +
        `and the ${esc(setLabel(baselineSet))} model trained on permuted labels (data). A method <b>fails</b> when ` +
        `the cascading Spearman of its absolute maps is still ` +
        `\u2265 ${num(fixed(T.settings.sanityFailAt, 2))} with every layer random. Mean over the queries where it is ` +
        `defined (an all-zero map has no ranks); no verdict when that is fewer than half of them.`,
      [
        "Method \u00b7 model",
        ...steps.map((s) => `\u03c1 |\u00b7| ${esc(s)}`),
        "\u03c1 signed, all",
        "SSIM, all",
        ...indSteps.map((s) => `indep. ${esc(s)}`),
        "data",
        "verdict",
      ],
      sanityRows,
    );
  html += chartOr(
    sanityChart(r),
    "trust-sanity",
    `<b>Figure S.</b> Cascading randomisation, one panel per method: the Spearman correlation of |map| with the ` +
      `trained model's as layers are re-initialised from the top (left to right, cumulative). A curve that falls ` +
      `to near 0 means the map depends on the weights; one that stays near 1 would look the same for any model. ` +
      `Dashed: the fail line (\u2265 ${num(fixed(T.settings.sanityFailAt, 2))} with every layer random).`,
  );

  // Localisation.
  const locRows: string[][] = [];
  for (const m of r.methods)
    for (const s of sets) {
      const l = T.localisation.find((x) => x.method === m && x.set === s);
      if (l)
        locRows.push([
          `${esc(label(m))} \u00b7 ${esc(setLabel(s))}`,
          ms(l.mass, l.massSd),
          f3(l.rank),
          f3(l.pointing),
          `${l.n}`,
        ]);
    }
  const share = T.localisation[0]?.maskShare;
  html +=
    `<h3>Do the maps fall on the digit? (localisation)</h3>` +
    table(
      `<b>Table L.</b> Localisation on the digit (mask: pixels brighter than ` +
        `${num(fixed(T.settings.digitThreshold, 2))}, ${num(fixed(100 * share, 1))}% of the image on average): ` +
        `relevance mass accuracy (share of |map| inside the mask; a uniform map would score the mask's share), ` +
        `relevance rank accuracy (share of the top-K pixels inside, ` +
        `K = mask size), pointing game (share of queries whose maximum lies on the digit). n: queries with a ` +
        `non-zero map.`,
      ["Method \u00b7 model", "Mass", "Rank", "Pointing", "n"],
      locRows,
    );
  html += chartOr(
    localisationChart(r),
    "trust-localisation",
    `<b>Figure L.</b> Relevance mass accuracy per method and model, mean \u00b1 sd over the queries (the dashed ` +
      `line: a map spread evenly over the image).`,
  );

  // Deletion / insertion.
  const delRows: string[][] = [];
  for (const m of [...r.methods, "random"])
    for (const s of sets) {
      const f = T.faithfulness.find((x) => x.method === m && x.set === s);
      if (f)
        delRows.push([
          `${esc(m === "random" ? "random order" : label(m))} \u00b7 ${esc(setLabel(s))}`,
          ms(f.deletionAuc, f.deletionAucSd),
          ms(f.insertionAuc, f.insertionAucSd),
        ]);
    }
  html +=
    `<h3>Do the pixels the map ranks first matter? (deletion and insertion)</h3>` +
    table(
      `<b>Table D.</b> Deletion and insertion (Petsiuk et al. 2018): the pixels in order of decreasing |map|, ` +
        `${T.settings.deletionStep} per step, set to 0 (deletion) or ` +
        `restored into a blurred copy (\u03c3 = ${num(fixed(T.settings.insertionBlurSigma, 1))} px, insertion); area ` +
        `under the curve of the softmax probability of the class explained, ` +
        `mean \u00b1 sd over the queries. Lower deletion and higher insertion AUC: a more faithful map. The random ` +
        `order is the baseline.`,
      ["Method \u00b7 model", "Deletion AUC", "Insertion AUC"],
      delRows,
    );
  html += chartOr(
    faithfulnessChart(r),
    "trust-faithfulness",
    `<b>Figure D.</b> (a) Deletion and (b) insertion AUC per method and model, mean \u00b1 sd over the queries; ` +
      `the last row is a random pixel order.`,
  );
  html += chartOr(
    curvesChart(r, curves),
    "trust-curves",
    `<b>Figure D\u2032.</b> The curves behind the AUCs, mean over the queries: the probability of the class explained ` +
      `as the pixels the map ranks first are deleted (a) or restored into a blurred copy (b), ` +
      `${T.settings.deletionStep} pixels a step. The drop-down picks the method; \u201crandom order\u201d is the baseline.`,
  );

  // Equivariance.
  const augs = [...new Set(T.equivariance.map((x) => x.aug))];
  const eqRows: string[][] = [];
  for (const m of r.methods)
    for (const s of sets) {
      eqRows.push([
        `${esc(label(m))} \u00b7 ${esc(setLabel(s))}`,
        ...augs.map((a) => {
          const e = T.equivariance.find((x) => x.method === m && x.set === s && x.aug === a);
          return e ? ms(e.cc, e.ccSd) : MISSING;
        }),
      ]);
    }
  html +=
    `<h3>Do the maps follow the augmentation? (equivariance)</h3>` +
    table(
      `<b>Table E.</b> CC of the absolute maps, mean \u00b1 sd over the queries: for scaling, crop and distortion ` +
        `between the map of the transformed image ` +
        `and the transformed map (equivariance); for blur and erasing between the maps of the transformed and the ` +
        `original image (invariance; erasing over the pixels left alone). ` +
        `Transforms drawn per query from their own stream, the same for every model.`,
      [
        "Method \u00b7 model",
        ...augs.map(
          (a) =>
            `${esc(setLabel(a))}${T.equivariance.find((x) => x.aug === a)?.kind === "invariance" ? " (inv.)" : ""}`,
        ),
      ],
      eqRows,
    );
  html += chartOr(
    equivarianceChart(r),
    "trust-equivariance",
    `<b>Figure E.</b> Per augmentation, how consistently each model's maps follow it (mean \u00b1 sd of the CC ` +
      `over the queries; the drop-down picks the method, ${esc(label(r.methods[0]))} first): does a model trained ` +
      `with T follow T better than ${esc(setLabel(baselineSet))}?`,
  );
  if (T.igGap.length) {
    html += table(
      `<b>Table G.</b> Integrated Gradients' completeness gap sum(attr) \u2212 (S(x) \u2212 S(0)) per model ` +
        `(trapezoid rule), mean over the queries, beside the mean |S(x) \u2212 S(0)|.`,
      ["Model", "gap", "|gap|", "max |gap|", "|S(x) \u2212 S(0)|"],
      sortBySet(T.igGap).map((g) => [
        esc(setLabel(g.set)),
        num(fixed(g.gap, 4)),
        num(fixed(g.absGap, 4)),
        num(fixed(g.maxAbsGap, 4)),
        num(fixed(g.absDelta, 3)),
      ]),
    );
  }
  return html;
}
