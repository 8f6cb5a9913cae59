// Figure 2, the training curves: (a) the training loss of every step with a smoothing slider (a
// trailing mean over the last k steps, k chosen in the page), (b) the validation loss and (c) the
// validation accuracy after each epoch; the epoch whose weights were kept (best validation accuracy,
// Table 1) ringed on every curve. Three panels instead of one tangled band; the legend picks models,
// each panel zooms and pans (drag, wheel), hover shows the values.
import type { HistoryRow, Table1Row } from "../types.js";
import { frame, modelEncodings, modelLabel, modelScales, r6, type Spec } from "./style.js";

export interface TrainingChartInput {
  histories: readonly HistoryRow[];
  /** Table 1: bestEpoch (1-based) per set. */
  table1: readonly Table1Row[];
}

/** The tidy rows behind Figure 2: per step (steps) and per epoch (epochs). */
export function trainingRows(input: TrainingChartInput) {
  const steps: Spec[] = [];
  const epochs: Spec[] = [];
  for (const h of input.histories) {
    const model = modelLabel(h.set);
    const nEpochs = h.epochLoss.length;
    const best = input.table1.find((t) => t.set === h.set)?.bestEpoch ?? NaN;
    const stepLoss = h.stepLoss && h.stepLoss.length ? h.stepLoss : null;
    // Per step: the step's loss and the running sum (9 digits: differences of it are the window means).
    if (stepLoss) {
      const per = stepLoss.length / Math.max(1, nEpochs);
      let cum = 0;
      steps.push({ model, i: 0, key: `${model}:0`, epoch: 0, loss: null, cum: 0 });
      stepLoss.forEach((loss, k) => {
        cum += Number.isFinite(loss) ? loss : 0;
        const i = k + 1;
        steps.push({
          model,
          i,
          key: `${model}:${i}`,
          epoch: r6(i / per),
          loss: r6(loss),
          cum: Number(cum.toPrecision(9)),
        });
      });
    }
    for (let e = 0; e < nEpochs; e++) {
      epochs.push({
        model,
        epoch: e + 1,
        trainLoss: r6(h.epochLoss[e]),
        valLoss: r6(h.valLoss?.[e]),
        valAcc: r6(h.valAcc[e]),
        best: e + 1 === best,
      });
    }
  }
  return { steps, epochs };
}

/** Figure 2 as a Vega-Lite spec (data inlined as named datasets). */
export function trainingChart(input: TrainingChartInput, opts: { width?: number; height?: number } = {}): Spec {
  const { steps, epochs } = trainingRows(input);
  const sc = modelScales(input.histories.map((h) => h.set));
  const enc = modelEncodings(sc, { symbolType: "circle" });
  const width = opts.width ?? 270;
  const height = opts.height ?? 230;
  const hasSteps = steps.length > 0;
  const maxEpochs = Math.max(1, ...input.histories.map((h) => h.epochLoss.length));
  const perEpoch = hasSteps
    ? Math.max(
        1,
        Math.round((input.histories[0].stepLoss?.length ?? 0) / Math.max(1, input.histories[0].epochLoss.length)),
      )
    : 1;
  const maxK = Math.max(1, ...input.histories.map((h) => h.stepLoss?.length ?? 1));
  const picked = { condition: { param: "pick", value: 1 }, value: 0.12 };
  const x = {
    field: "epoch",
    type: "quantitative",
    title: "Epoch",
    scale: { domain: [0, maxEpochs], nice: false },
    axis: { tickMinStep: 1 },
  };
  const zoom = (name: string) => ({ name, select: { type: "interval", encodings: ["x", "y"] }, bind: "scales" });
  const ring = (field: string) => ({
    transform: [{ filter: "datum.best" }],
    mark: { type: "point", shape: "circle", filled: false, size: 260, strokeWidth: 2.2 },
    encoding: {
      x,
      y: { field, type: "quantitative" },
      color: enc.color,
      opacity: picked,
      tooltip: [
        { field: "model", title: "model" },
        { field: "epoch", title: "best epoch (weights kept)" },
        {
          field,
          title: field === "valAcc" ? "val. accuracy" : field === "valLoss" ? "val. loss" : "loss",
          format: ".4f",
        },
      ],
    },
  });
  const epochPanel = (field: "valLoss" | "valAcc", title: string, yTitle: string, zoomName: string) => ({
    width,
    height,
    title,
    data: { name: "epochs" },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.9 },
        encoding: {
          x,
          y: { field, type: "quantitative", title: yTitle, scale: { zero: false } },
          color: enc.color,
          strokeDash: enc.strokeDash,
          opacity: picked,
        },
      },
      {
        params: [zoom(zoomName)],
        mark: { type: "point", size: 42, filled: true },
        encoding: {
          x,
          y: { field, type: "quantitative" },
          color: enc.color,
          shape: enc.shape,
          opacity: picked,
          tooltip: [
            { field: "model", title: "model" },
            { field: "epoch", title: "epoch" },
            { field, title: yTitle, format: ".4f" },
          ],
        },
      },
      ring(field),
    ],
  });
  const lossPanel = hasSteps
    ? {
        width,
        height,
        title: "(a) Training loss per step",
        data: { name: "steps" },
        transform: [
          { filter: "datum.i > 0" },
          { calculate: "datum.model + ':' + max(0, datum.i - smooth)", as: "lagKey" },
          { lookup: "lagKey", from: { data: { name: "steps" }, key: "key", fields: ["cum"] }, as: ["cumLag"] },
          { calculate: "(datum.cum - datum.cumLag) / (datum.i - max(0, datum.i - smooth))", as: "smoothed" },
        ],
        layer: [
          {
            // The legend's selection lives on the first layer that draws the legend: Vega-Lite keeps the
            // first layer's legend when it merges them, and with it the click handlers.
            params: [{ name: "pick", select: { type: "point", fields: ["model"] }, bind: "legend" }],
            mark: { type: "line", strokeWidth: 1, opacity: 0.22 },
            encoding: {
              x,
              y: { field: "loss", type: "quantitative", title: "Cross-entropy loss", scale: { zero: false } },
              color: enc.color,
              detail: { field: "model" },
            },
          },
          {
            params: [zoom("zoomA")],
            mark: { type: "line", strokeWidth: 2 },
            encoding: {
              x,
              y: { field: "smoothed", type: "quantitative" },
              color: enc.color,
              strokeDash: enc.strokeDash,
              opacity: picked,
            },
          },
          {
            transform: [{ filter: `datum.i % ${perEpoch} == 0` }],
            mark: { type: "point", size: 36, filled: true },
            encoding: {
              x,
              y: { field: "smoothed", type: "quantitative" },
              color: enc.color,
              shape: enc.shape,
              opacity: picked,
              tooltip: [
                { field: "model", title: "model" },
                { field: "i", title: "step" },
                { field: "epoch", title: "epoch", format: ".2f" },
                { field: "loss", title: "loss", format: ".4f" },
                { field: "smoothed", title: "smoothed", format: ".4f" },
              ],
            },
          },
          {
            data: { name: "epochs" },
            transform: [{ filter: "datum.best" }],
            mark: { type: "point", shape: "circle", filled: false, size: 260, strokeWidth: 2.2 },
            encoding: {
              x,
              y: { field: "trainLoss", type: "quantitative" },
              color: enc.color,
              opacity: picked,
              tooltip: [
                { field: "model", title: "model" },
                { field: "epoch", title: "best epoch (weights kept)" },
                { field: "trainLoss", title: "epoch's mean loss", format: ".4f" },
              ],
            },
          },
        ],
      }
    : {
        // Histories without per-step losses: the epoch means.
        width,
        height,
        title: "(a) Training loss, mean per epoch",
        data: { name: "epochs" },
        layer: [
          {
            params: [{ name: "pick", select: { type: "point", fields: ["model"] }, bind: "legend" }, zoom("zoomA")],
            mark: { type: "line", point: false },
            encoding: {
              x,
              y: { field: "trainLoss", type: "quantitative", title: "Cross-entropy loss", scale: { zero: false } },
              color: enc.color,
              strokeDash: enc.strokeDash,
              opacity: picked,
            },
          },
          ring("trainLoss"),
        ],
      };
  const panels = [
    lossPanel,
    epochPanel("valLoss", "(b) Validation loss", "Cross-entropy loss", "zoomB"),
    epochPanel("valAcc", "(c) Validation accuracy", "Accuracy", "zoomC"),
  ];
  const names = input.histories.map((h) => modelLabel(h.set)).join(", ");
  return frame(
    "Figure 2: training curves",
    `Training loss per step, validation loss and validation accuracy per epoch for ${names}; rings: best epoch.`,
    { kind: "wrap", minCell: 250, extra: 70, cells: 3 },
    {
      datasets: { steps, epochs },
      ...(hasSteps
        ? {
            params: [
              {
                name: "smooth",
                value: perEpoch,
                bind: { input: "range", min: 1, max: maxK, step: 1, name: "Smoothing: mean of the last k steps, k = " },
              },
            ],
          }
        : {}),
      columns: 3,
      concat: panels,
      resolve: { scale: { color: "shared", shape: "shared", strokeDash: "shared" } },
    },
  );
}
