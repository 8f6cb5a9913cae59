// The trust figures (results.json "explain", src/study/trust.ts): the cascading randomisation curves
// of the sanity checks (Adebayo et al. 2018), relevance mass on the digit, deletion and insertion AUC
// (Petsiuk et al. 2018) and equivariance under the augmentations.
import { setLabel, sortBySet, type TrustReport } from "../types.js";
import { dotChart, type DotPanel } from "./dots.js";
import { frame, modelEncodings, modelLabel, modelScales, r6, type Spec } from "./style.js";

const setsOf = (rows: readonly { set: string }[]) =>
  sortBySet([...new Set(rows.map((r) => r.set))].map((set) => ({ set }))).map((x) => x.set);

/** Figure S: Spearman of |map| with the trained model's as layers are re-initialised from the top. */
export function sanityChart(r: TrustReport, opts: { cellWidth?: number } = {}): Spec | null {
  const T = r.trust;
  const casc = T.sanity.filter((x) => x.test === "cascading");
  if (!casc.length) return null;
  const label = (m: string) => r.labels[m] ?? m;
  const steps = [...new Set(casc.map((x) => x.step))];
  // The axis names the layer each step adds ("fc", "+conv2", ...): the steps are cumulative.
  const stepName = (st: string, i: number) => (i === 0 ? st : `+${st.split("+").pop()}`);
  const sets = setsOf(casc);
  const sc = modelScales(sets);
  const enc = modelEncodings(sc);
  const rows = casc.map((x) => ({
    method: label(x.method),
    model: modelLabel(x.set),
    step: stepName(x.step, steps.indexOf(x.step)),
    layers: x.step,
    spearman: r6(x.spearmanAbs),
    ssim: r6(x.ssim),
  }));
  const order = steps.map(stepName);
  const methods = r.methods.map(label);
  const x = { field: "step", type: "ordinal", sort: order, title: null, axis: { labelAngle: 0 } };
  const cell = opts.cellWidth ?? 200;
  return frame(
    {
      text: "Sanity check: cascading randomisation",
      subtitle: "x: layers re-initialised, cumulative from the top; dashed: the fail line",
    } as unknown as string,
    "Spearman correlation of |map| with the trained model's after re-initialising layers from the top, per method.",
    { kind: "wrap", minCell: 170, extra: 70, cells: methods.length },
    {
      data: { values: rows },
      facet: { field: "method", type: "nominal", sort: methods, title: null, header: { labelFontWeight: 600 } },
      columns: Math.min(4, methods.length),
      spec: {
        width: cell,
        height: 160,
        layer: [
          {
            data: { values: [{ v: T.settings.sanityFailAt }] },
            mark: { type: "rule", color: "#5f6368", strokeDash: [4, 3] },
            encoding: { y: { field: "v", type: "quantitative" } },
          },
          {
            params: [{ name: "pick", select: { type: "point", fields: ["model"] }, bind: "legend" }],
            mark: { type: "line", point: { filled: true, size: 36 } },
            encoding: {
              x,
              y: {
                field: "spearman",
                type: "quantitative",
                title: "Spearman |map| vs trained",
                scale: { domain: [-0.2, 1] },
              },
              color: enc.color,
              shape: enc.shape,
              strokeDash: enc.strokeDash,
              opacity: { condition: { param: "pick", value: 1 }, value: 0.12 },
              tooltip: [
                { field: "method", title: "method" },
                { field: "model", title: "model" },
                { field: "layers", title: "layers re-initialised" },
                { field: "spearman", title: "Spearman |map|", format: ".3f" },
                { field: "ssim", title: "SSIM", format: ".3f" },
              ],
            },
          },
        ],
      },
    },
  );
}

/** Figure L: relevance mass inside the digit per method and model; the uniform map's share as a rule. */
export function localisationChart(r: TrustReport): Spec | null {
  const L = r.trust.localisation;
  if (!L.length) return null;
  const label = (m: string) => r.labels[m] ?? m;
  const share = L[0].maskShare;
  const panel: DotPanel = {
    title: "Relevance mass inside the digit",
    xTitle: "share of |map| on the digit's strokes",
    rows: L.map((l) => ({
      cat: label(l.method),
      set: l.set,
      value: l.mass,
      lo: l.mass - l.massSd,
      hi: l.mass + l.massSd,
    })),
    refs: Number.isFinite(share) ? [{ kind: "rule", value: share, label: "uniform map" }] : [],
    categories: r.methods.map(label),
  };
  return dotChart([panel], setsOf(L), {
    title: "Localisation on the digit",
    description: "Relevance mass accuracy per method and model, mean ± sd over the queries.",
  });
}

/** Figure D: deletion AUC (lower = more faithful) and insertion AUC (higher) per method and model. */
export function faithfulnessChart(r: TrustReport): Spec | null {
  const F = r.trust.faithfulness;
  if (!F.length) return null;
  const label = (m: string) => (m === "random" ? "random order" : (r.labels[m] ?? m));
  const cats = [...r.methods, "random"].map(label);
  const panels: DotPanel[] = [
    {
      title: "(a) Deletion AUC, lower = more faithful",
      xTitle: "area under the deletion curve",
      rows: F.map((f) => ({
        cat: label(f.method),
        set: f.set,
        value: f.deletionAuc,
        lo: f.deletionAuc - f.deletionAucSd,
        hi: f.deletionAuc + f.deletionAucSd,
      })),
      categories: cats,
    },
    {
      title: "(b) Insertion AUC, higher = more faithful",
      xTitle: "area under the insertion curve",
      rows: F.map((f) => ({
        cat: label(f.method),
        set: f.set,
        value: f.insertionAuc,
        lo: f.insertionAuc - f.insertionAucSd,
        hi: f.insertionAuc + f.insertionAucSd,
      })),
      categories: cats,
    },
  ];
  return dotChart(panels, setsOf(F), {
    title: "Deletion and insertion",
    description: "Deletion and insertion AUC per method and model, mean ± sd over the queries; random order last.",
  });
}

/** Figure E: CC of saliency(T(x)) with T(saliency(x)) per augmentation and model, one method at a time. */
export function equivarianceChart(r: TrustReport): Spec | null {
  const E = r.trust.equivariance;
  if (!E.length) return null;
  const label = (m: string) => r.labels[m] ?? m;
  const augs = [...new Set(E.map((e) => e.aug))];
  const augLabel = (a: string) =>
    `${setLabel(a)}${E.find((e) => e.aug === a)?.kind === "invariance" ? " (invariance)" : ""}`;
  const methods = r.methods.filter((m) => E.some((e) => e.method === m));
  const panel: DotPanel = {
    title: "Equivariance under the augmentations",
    xTitle: "CC of saliency(T(x)) with T(saliency(x)) (invariance: with saliency(x))",
    rows: E.map((e) => ({
      cat: augLabel(e.aug),
      set: e.set,
      value: e.cc,
      lo: e.cc - e.ccSd,
      hi: e.cc + e.ccSd,
      group: e.method,
    })),
    categories: augs.map(augLabel),
  };
  return dotChart([panel], setsOf(E), {
    title: "Equivariance",
    description: "Per augmentation, CC of each model's maps of the transformed image with the transformed map.",
    selector: { name: "method", label: "Method", options: methods, labels: methods.map(label) },
  });
}

export type CurveRows = NonNullable<import("../types.js").ReportInput["faithfulnessCurves"]>;

/**
 * Figure D's curves: the mean probability of the explained class as the pixels the map ranks first are
 * deleted (set to 0) or inserted (into a blurred copy), one method at a time (the drop-down; the random
 * order is the baseline), a line per model. At most 50 points per curve, the last one always kept.
 */
export function curvesChart(r: TrustReport, curves: CurveRows | undefined, opts: { width?: number } = {}): Spec | null {
  if (!curves?.length) return null;
  const label = (m: string) => (m === "random" ? "random order" : (r.labels[m] ?? m));
  const methods = [...r.methods, "random"].filter((m) => curves.some((c) => c.method === m));
  const sets = setsOf(curves);
  const sc = modelScales(sets);
  const enc = modelEncodings(sc);
  const rows: Spec[] = [];
  for (const c of curves) {
    const every = Math.max(1, Math.ceil(c.x.length / 50));
    const keep = c.x.map((_, t) => t).filter((t) => t % every === 0 || t === c.x.length - 1);
    for (const kind of ["deletion", "insertion"] as const)
      rows.push({
        group: c.method,
        model: modelLabel(c.set),
        kind,
        x: keep.map((t) => r6(c.x[t])),
        p: keep.map((t) => r6(c[kind][t])),
      });
  }
  const panel = (kind: "deletion" | "insertion", title: string) => ({
    width: opts.width ?? 330,
    height: 240,
    title,
    transform: [{ filter: `datum.group == method && datum.kind == '${kind}'` }, { flatten: ["x", "p"] }],
    mark: { type: "line", strokeWidth: 1.8 },
    encoding: {
      x: {
        field: "x",
        type: "quantitative",
        title: kind === "deletion" ? "share of pixels deleted" : "share of pixels inserted",
        axis: { format: "%" },
      },
      y: { field: "p", type: "quantitative", title: "probability of the class", scale: { domain: [0, 1] } },
      color: enc.color,
      strokeDash: enc.strokeDash,
      tooltip: [
        { field: "model", title: "model" },
        { field: "x", title: "pixels changed", format: ".1%" },
        { field: "p", title: "probability", format: ".3f" },
      ],
    },
  });
  return frame(
    "Deletion and insertion curves",
    "Mean probability of the explained class as pixels are deleted or inserted in the map's order, per model.",
    { kind: "wrap", minCell: 220, extra: 70, cells: 2 },
    {
      data: { values: rows },
      params: [
        {
          name: "method",
          value: methods[0],
          bind: { input: "select", options: methods, labels: methods.map(label), name: "Method " },
        },
      ],
      columns: 2,
      concat: [
        panel("deletion", "(a) Deletion, lower and earlier drop = more faithful"),
        panel("insertion", "(b) Insertion, faster rise = more faithful"),
      ],
    },
  );
}
