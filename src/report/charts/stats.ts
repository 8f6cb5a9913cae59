// The study's tests as charts (results.json "stats", src/stats/study.ts): the paired dot plots of every
// model against the primary floor (one line per unit: a run when R >= 3, a query image otherwise), and
// the poster's claim that accuracy gain goes with saliency change (Spearman's rho, its interval and p).
// A drop-down picks the attribution method; the static SVG shows the first.
import { mname, pText, signed } from "../format.js";
import type { StudyStats } from "../types.js";
import { frame, modelEncodings, modelLabel, modelScales, orderedSets, r6, type Spec } from "./style.js";

/** Short verdict of a paired test for the chart's cell. */
function shortVerdict(v: string): string {
  if (v.startsWith("cannot tell") || v === "no data") return "n too small";
  if (v === "no difference shown") return "no difference shown";
  if (v.startsWith("closer")) return "closer than floor";
  if (v.startsWith("further")) return "further than floor";
  return v.split(":")[0];
}

/** Paired dot plot of one metric: a cell per model, floor (left) and model (right) per unit. */
export function pairedChart(s: StudyStats, metric: string, opts: { cellWidth?: number } = {}): Spec | null {
  const tests = s.maps.filter((t) => t.metric === metric && t.n > 0);
  if (!tests.length) return null;
  const methods = s.design.methods.filter((m) => tests.some((t) => t.method === m));
  const sets = orderedSets(tests.map((t) => t.set));
  const sc = modelScales(sets);
  const enc = modelEncodings(sc, false);
  const floor = `${s.design.primaryFloor} floor`;
  const rows: Spec[] = [];
  for (const m of methods)
    for (const set of sets) {
      const t = tests.find((x) => x.method === m && x.set === set);
      if (!t) continue;
      // Two lines over the cell: the mean paired difference [interval], then the verdict.
      const summary = [
        `${signed(t.meanDiff)} [${signed(t.interval.lo)}, ${signed(t.interval.hi)}]`,
        shortVerdict(t.verdict),
      ];
      for (let k = 0; k < t.n; k++) {
        const unit = t.inputs.units[k];
        rows.push({ group: m, model: modelLabel(set), unit, k, side: floor, value: r6(t.inputs.control[k]) });
        rows.push({
          group: m,
          model: modelLabel(set),
          unit,
          k,
          side: "model",
          value: r6(t.inputs.treatment[k]),
          ...(k === 0 ? { summary } : {}),
        });
      }
    }
  const unit = tests[0].unit === "run" ? "run (mean over the queries)" : "query image";
  const x = { field: "side", type: "nominal", sort: [floor, "model"], title: null, axis: { labelAngle: 0 } };
  const y = { field: "value", type: "quantitative", title: mname(metric), scale: { zero: false } };
  const cell = opts.cellWidth ?? 120;
  return frame(
    {
      text: `Paired ${mname(metric)}: each line one ${unit}, ${floor} (left) vs the model (right)`,
      subtitle: "mean paired difference [95% t-interval] · Holm-corrected verdict",
    } as unknown as string,
    `Paired dot plot of ${mname(metric)} per model against the ${floor}.`,
    { kind: "wrap", minCell: 110, extra: 60, cells: sets.length },
    {
      data: { values: rows },
      params: [
        {
          name: "method",
          value: methods[0],
          bind: { input: "select", options: methods, name: "Method " },
        },
      ],
      transform: [{ filter: "datum.group == method" }],
      facet: { field: "model", type: "nominal", sort: sc.domain, title: null, header: { labelFontWeight: 600 } },
      columns: sets.length,
      spec: {
        width: cell,
        height: 190,
        layer: [
          {
            mark: { type: "line", strokeWidth: 1.1, opacity: 0.5 },
            encoding: { x, y, detail: { field: "unit" }, color: enc.color },
          },
          {
            transform: [{ filter: `datum.side == '${floor}'` }],
            mark: { type: "point", filled: true, size: 30, color: "#6E6E6E" },
            encoding: {
              x,
              y,
              tooltip: [
                { field: "unit", title: tests[0].unit },
                { field: "value", title: floor, format: ".4f" },
              ],
            },
          },
          {
            transform: [{ filter: "datum.side == 'model'" }],
            mark: { type: "point", filled: true, size: 40 },
            encoding: {
              x,
              y,
              color: enc.color,
              shape: enc.shape,
              tooltip: [
                { field: "model", title: "model" },
                { field: "unit", title: tests[0].unit },
                { field: "value", title: mname(metric), format: ".4f" },
              ],
            },
          },
          {
            transform: [{ filter: "datum.side == 'model' && datum.k == 0" }],
            mark: { type: "text", y: -8, fontSize: 10.5, color: "#5f6368", align: "center", baseline: "bottom" },
            encoding: { text: { field: "summary" }, x: { value: cell / 2 } },
          },
        ],
      },
      resolve: { scale: { x: "independent" } },
    },
  );
}

/**
 * The poster's claim: accuracy gain over Orig against saliency change, per model and run, one panel
 * per metric of the maps with Orig's (CC, KL), with the test's Spearman rho, interval and p.
 */
export function claimChart(s: StudyStats, opts: { width?: number } = {}): Spec | null {
  const claims = s.claims.saliencyVsAccuracy.filter((c) => c.inputs && c.inputs.length);
  if (!claims.length) return null;
  const methods = [...new Set(claims.map((c) => c.method ?? "vanilla"))];
  const metrics = [...new Set(claims.map((c) => c.metric))];
  const rows: Spec[] = [];
  const notes: Spec[] = [];
  const noteOf = (c: (typeof claims)[number]) => {
    const iv = c.interval ? `, ${c.interval.level * 100}% CI [${signed(c.interval.lo)}, ${signed(c.interval.hi)}]` : "";
    return `Spearman ρ = ${signed(c.rho)}${iv}, p = ${pText(c.p)}, n = ${c.n}`;
  };
  for (const c of claims) {
    const group = c.method ?? "vanilla";
    for (const p of c.inputs ?? [])
      rows.push({ group, metric: c.metric, model: modelLabel(p.set), run: p.run, x: r6(p.x), y: r6(p.y) });
    notes.push({ group, metric: c.metric, text: noteOf(c) });
  }
  const sets = orderedSets(claims.flatMap((c) => (c.inputs ?? []).map((p) => p.set)));
  const sc = modelScales(sets);
  const enc = modelEncodings(sc);
  const first = claims.filter((c) => (c.method ?? "vanilla") === methods[0]);
  const panel = (metric: string) => ({
    width: opts.width ?? (metrics.length > 1 ? 400 : 560),
    height: 300,
    layer: [
      {
        data: { values: [{ y: 0 }] },
        mark: { type: "rule", color: "#9aa0a6", strokeDash: [4, 3] },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
      {
        data: { name: "points" },
        transform: [{ filter: `datum.group == method && datum.metric == '${metric}'` }],
        params: [{ name: `zoom_${metric}`, select: { type: "interval", encodings: ["x", "y"] }, bind: "scales" }],
        mark: { type: "point", filled: true, size: 110, stroke: "#ffffff", strokeWidth: 0.8 },
        encoding: {
          x: {
            field: "x",
            type: "quantitative",
            title: `${mname(metric)} of the maps with Orig's`,
            scale: { zero: false, nice: true },
          },
          y: { field: "y", type: "quantitative", title: "Test-accuracy gain over Orig", axis: { format: "+.2f" } },
          color: enc.color,
          shape: enc.shape,
          tooltip: [
            { field: "model", title: "model" },
            { field: "run", title: "run" },
            { field: "x", title: mname(metric), format: ".4f" },
            { field: "y", title: "accuracy gain", format: "+.4f" },
          ],
        },
      },
      {
        data: { name: "notes" },
        transform: [{ filter: `datum.group == method && datum.metric == '${metric}'` }],
        mark: { type: "text", align: "left", baseline: "bottom", x: 0, y: -6, fontSize: 11.5, color: "#1d1d1f" },
        encoding: { text: { field: "text" } },
      },
    ],
  });
  return frame(
    {
      text: "Accuracy gain vs saliency change",
      subtitle: first.map((c) => `${methods[0]}, ${mname(c.metric)}: ${noteOf(c)}`),
    } as unknown as string,
    "Test-accuracy gain over Orig against the maps' CC and KL with Orig's, per model and run, with Spearman's rho.",
    metrics.length > 1 ? { kind: "wrap", minCell: 260, extra: 110, cells: metrics.length } : { kind: "single" },
    {
      datasets: { points: rows, notes },
      params: [{ name: "method", value: methods[0], bind: { input: "select", options: methods, name: "Method " } }],
      ...(metrics.length > 1
        ? { columns: metrics.length, concat: metrics.map(panel), spacing: 40 }
        : panel(metrics[0])),
    },
  );
}
