// report.html: one self-contained page laid out like the poster — setup, Figure 1, Table 1, Figure 2,
// Figure 4, Figures 3 and 5, what the metrics say against the seed noise floor, how to read it, and
// the run's provenance. Everything is inline (CSS, SVG, PNGs as data: URIs; system fonts only), so the
// file works copied anywhere and opened offline, and prints cleanly.
import { escapeXml, fixed, meanSd, MISSING, typographic } from "./format.js";
import { chartHtml, friedmanLines, reportCharts, vegaRuntimeHtml, type Chart } from "./charts/index.js";
import { noiseFloorLabel } from "./tables.js";
import { trustHtml } from "./trust.js";
import { judgeMetric, METRICS, type MetricJudgement, type Verdict } from "./verdict.js";
import { claimsHtml, statsGlanceItems, statsTableHtml } from "./stats.js";
import type { StudyStats } from "./types.js";
import {
  BASELINE_SET,
  POSTER_TABLE1,
  SET_LABELS,
  SET_ORDER,
  setLabel,
  sortBySet,
  type MetricStats,
  type ReportInput,
  type TrustReport,
} from "./types.js";

const esc = (s: string) => escapeXml(s);
const num = (s: string) => esc(typographic(s));

/** Width and height from a PNG's IHDR chunk, or null if the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } | null {
  const sig = [137, 80, 78, 71, 13, 10, 26, 10];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b)) return null;
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { width: dv.getUint32(16), height: dv.getUint32(20) };
}

/** An SVG figure (src/report/figures.ts) inlined as it is, or a note that it was not rendered. */
function svgFigure(svg: string | undefined): string {
  if (!svg) return `<div class="missing">Not rendered in this run.</div>`;
  if (!svg.startsWith("<svg")) throw new Error("renderReportHtml: an image figure is not an SVG document");
  return svg;
}

function epochsText(input: ReportInput): string {
  const e = Number(input.config.epochs);
  return Number.isFinite(e) ? `${e} epoch${e === 1 ? "" : "s"}` : "its own schedule";
}

/** Flattens nested config objects to [dotted key, display value] pairs, in insertion order. */
export function flattenConfig(obj: Record<string, unknown>, prefix = ""): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v)) {
      out.push(...flattenConfig(v as Record<string, unknown>, key));
    } else if (Array.isArray(v)) {
      out.push([
        key,
        v.every((x) => x === null || typeof x !== "object") ? v.map((x) => String(x)).join(", ") : JSON.stringify(v),
      ]);
    } else if (typeof v === "number") {
      out.push([key, Number.isFinite(v) ? String(v) : MISSING]);
    } else if (v === undefined) {
      out.push([key, MISSING]);
    } else {
      out.push([key, String(v)]);
    }
  }
  return out;
}

const VERDICT_TEXT: Record<Verdict, string> = {
  beyond: "beyond",
  within: "within",
  closer: "closer",
  unknown: MISSING,
};

const CSS = `
:root{--ink:#1d1d1f;--muted:#555a60;--rule:#d9dce1;--soft:#f5f6f8;--accent:#0072B2;--bg:#fff;--warn:#8a3300;--warnbg:#fff4e5;
--chip-b:#fbe1d2;--chip-bi:#8a3300;--chip-w:#eceef1;--chip-wi:#4a4f55;--chip-c:#d9ebf7;--chip-ci:#0b4f7c;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
--serif:Charter,"Bitstream Charter","Sitka Text",Cambria,Georgia,"Times New Roman",serif;
--mono:ui-monospace,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--ink:#e6e6e8;--muted:#a9adb3;--rule:#3a3d42;--soft:#1f2227;--accent:#56B4E9;--bg:#121316;
--warn:#ffb877;--warnbg:#2d2114;--chip-b:#4a2a17;--chip-bi:#ffcfb0;--chip-w:#2c2f34;--chip-wi:#c9ccd1;--chip-c:#16344a;--chip-ci:#b7dcf5}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:17px/1.55 var(--serif);overflow-wrap:break-word}
main{max-width:1140px;margin:0 auto;padding:2.5rem 1.5rem 4rem}
h1,h2,h3,nav,figcaption,table,.caption,.meta,.eyebrow,.glance,.kv,.rule,.chip,.warn,.f4ctl,.links,footer{font-family:var(--sans)}
h1{font-size:2.05rem;line-height:1.2;margin:.2rem 0 .6rem;letter-spacing:-.01em;font-weight:700}
h2{font-size:1.3rem;margin:0 0 .8rem;font-weight:650;letter-spacing:-.005em}
h2 .n{color:var(--muted);font-weight:500;margin-right:.45rem}
h3{font-size:1.02rem;margin:1.6rem 0 .5rem;font-weight:650}
p{margin:.55rem 0;max-width:46rem}
a{color:var(--accent)}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:.8rem;color:var(--muted);font-weight:600}
.byline{color:var(--muted);font-size:1.02rem;margin:0 0 .9rem}
.meta{font-size:.875rem;color:var(--muted)}
.meta code{font-size:.85rem}
nav{font-size:.9rem;margin:1.1rem 0 0;display:flex;flex-wrap:wrap;gap:.3rem 1.1rem}
nav a{text-decoration:none}
nav a:hover{text-decoration:underline}
header{border-bottom:2px solid var(--ink);padding-bottom:1.2rem}
section{padding-top:1.6rem;margin-top:2rem;border-top:1px solid var(--rule)}
header+section{border-top:none;margin-top:.6rem}
.glance{background:var(--soft);border-left:3px solid var(--accent);padding:.85rem 1.1rem;margin:1.3rem 0 0;font-size:.95rem}
.glance ul{margin:.25rem 0 0;padding-left:1.1rem}
.glance li{margin:.18rem 0}
.glance strong{font-weight:650}
.warn{background:var(--warnbg);border-left:3px solid var(--warn);color:var(--ink);padding:.7rem 1rem;margin:1rem 0;font-size:.95rem;max-width:52rem}
.warn b{color:var(--warn)}
figure{margin:1.5rem 0 1.8rem;break-inside:avoid;page-break-inside:avoid}
figure img,figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
figure img,svg.augfig image{image-rendering:pixelated;image-rendering:crisp-edges}
svg.augfig{background:#fff}
svg.augfig text{fill:var(--fig-ink,#1d1d1f)}
svg.augfig text.muted{fill:var(--fig-muted,#555a60)}
svg.augfig text.wrong{fill:var(--fig-wrong,#b34700)}
@media (prefers-color-scheme:dark){svg.augfig{background:var(--bg)}svg.augfig .bg{fill:var(--bg)}
:root{--fig-ink:#e6e6e8;--fig-muted:#a9adb3;--fig-wrong:#ffb877}}
figcaption,.caption{font-size:.9rem;line-height:1.5;color:var(--muted);margin:.7rem auto 0;max-width:52rem}
figcaption b,.caption b{color:var(--ink);font-weight:650}
.caption{margin:1.2rem 0 .4rem;max-width:none}
.stack figure{margin:0 0 1.4rem}
.sub{font-family:var(--sans);font-size:.875rem;color:var(--ink);font-weight:600;text-align:center;margin:.4rem 0 0}
.missing{font-family:var(--sans);border:1px dashed var(--rule);color:var(--muted);padding:2rem;text-align:center;font-size:.9rem}
.tablewrap,.figscroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.tablewrap{margin:0 0 1rem}
.figscroll svg.augfig{max-width:none}
.chartbox{width:100%;max-width:100%;overflow-x:auto}
@media (prefers-color-scheme:dark){.chartbox{background:#fff;color:#1d1d1f;border-radius:4px;padding:.4rem}}
table{border-collapse:collapse;font-size:.9rem;font-variant-numeric:tabular-nums lining-nums;margin:0 auto}
caption{caption-side:top;text-align:left;font-size:.9rem;color:var(--muted);padding:0 0 .5rem}
caption b{color:var(--ink)}
th,td{padding:.32rem .75rem;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
thead tr:first-child th{border-top:1.5px solid var(--ink)}
thead tr:last-child th{border-bottom:1px solid var(--ink);font-weight:600}
thead th.group{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;text-align:center;border-bottom:1px solid var(--rule)}
tbody tr:last-child td{border-bottom:1.5px solid var(--ink)}
tbody tr.floor td{border-top:1px solid var(--rule);color:var(--muted);font-style:italic}
td.sep,th.sep{border-left:1px solid var(--rule)}
.kv{columns:2 22rem;column-gap:2.5rem;font-size:.9rem;margin:.8rem 0}
.kv div{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid var(--rule);padding:.28rem 0;break-inside:avoid}
.kv span:first-child{color:var(--muted);white-space:nowrap}
.kv span:last-child{text-align:right;font-variant-numeric:tabular-nums;word-break:break-word;min-width:0}
table.setup{margin:.8rem 0;width:100%;max-width:52rem}
table.setup th{text-align:left;font-weight:600;color:var(--muted);vertical-align:top;width:14rem;white-space:normal}
table.setup td{text-align:left;white-space:normal;overflow-wrap:anywhere}
table.setup tr:first-child th,table.setup tr:first-child td{border-top:1.5px solid var(--ink)}
code,.mono{font-family:var(--mono);font-size:.85em}
td.mono{font-size:1em}
.sha{word-break:break-all}
table.verdicts td{text-align:center}
table.verdicts td:first-child{text-align:left}
.chip{display:inline-block;font-size:.8rem;font-weight:600;border-radius:3px;padding:.06rem .42rem;margin-left:.35rem}
.v-beyond .chip{background:var(--chip-b);color:var(--chip-bi)}
.v-within .chip{background:var(--chip-w);color:var(--chip-wi)}
.v-closer .chip{background:var(--chip-c);color:var(--chip-ci)}
.v-unknown .chip{background:none;color:var(--muted)}
.statements{padding-left:1.1rem;max-width:50rem}
.statements li{margin:.45rem 0}
.rule{background:var(--soft);border:1px solid var(--rule);border-radius:4px;padding:.8rem 1.1rem;font-size:.9rem;margin:1.2rem 0;max-width:52rem}
.rule p{margin:.3rem 0}
.rule ul{margin:.3rem 0;padding-left:1.1rem}
.read{max-width:60rem;display:grid;grid-template-columns:12rem 1fr;gap:.7rem 1.6rem;margin:1rem 0}
.read dt{font-family:var(--sans);font-weight:650;font-size:.95rem;padding-top:.12rem}
.read dd{margin:0}
var{font-style:italic}
.vh{position:absolute;opacity:0;width:1px;height:1px;margin:0;pointer-events:none}
.f4ctl{display:flex;flex-wrap:wrap;gap:.6rem 1.6rem;margin:.4rem 0 .8rem;font-size:.9rem}
.f4ctl .grp{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem}
.f4ctl .grp>span{color:var(--muted);margin-right:.2rem}
.f4ctl label{border:1px solid var(--rule);border-radius:4px;padding:.2rem .6rem;cursor:pointer;background:var(--bg);color:var(--ink)}
.f4 .figscroll{margin:0}
.links{columns:2 20rem;column-gap:2rem;padding-left:1.1rem;font-size:.9rem}
.links li{margin:.15rem 0;break-inside:avoid}
footer{margin-top:3rem;padding-top:1rem;border-top:1px solid var(--rule);font-size:.875rem;color:var(--muted)}
@media (max-width:860px){body{font-size:16px}h1{font-size:1.6rem}.read{grid-template-columns:1fr;gap:.2rem}.read dd{margin-bottom:.6rem}main{padding:1.5rem 1rem 3rem}
table.setup th{width:auto}}
@media (max-width:520px){table.setup,table.setup tbody,table.setup tr,table.setup th,table.setup td{display:block;width:100%}
table.setup th{border:none;padding:.5rem 0 0}table.setup td{padding:0 0 .4rem;border-bottom:1px solid var(--rule)}
table.setup tr:first-child td{border-top:none}.kv{columns:1}}
@media print{@page{size:A4;margin:15mm 14mm}:root{--ink:#000;--muted:#444;--bg:#fff;--soft:#fff;--fig-ink:#000;--fig-muted:#444}
body{font-size:10.5pt;background:#fff;color:#000}main{max-width:none;padding:0}nav,.f4ctl{display:none}
section{break-inside:auto}h2,h3{break-after:avoid}.glance,.rule,.warn{background:none}a{color:inherit;text-decoration:none}
.meta,figcaption,.caption,.kv,.glance,.rule,.warn,footer,.links{font-size:9.5pt}
table{font-size:9pt}th,td{white-space:normal;padding:.2rem .22rem}th .meta{display:block}thead th.group{font-size:9pt}.chip{font-size:9pt}
tr{break-inside:avoid}thead{display:table-header-group}
.tablewrap,.figscroll,.chartbox{overflow:visible}.chartbox svg,.chartbox canvas{max-width:100%;height:auto}.figscroll svg.augfig{max-width:100%}svg.augfig,svg.augfig .bg{background:#fff;fill:#fff}
.caption{break-after:avoid}}
`;

function section(id: string, n: number, title: string, body: string): string {
  return `<section id="${id}"><h2><span class="n">${n}</span>${esc(title)}</h2>${body}</section>`;
}

function figure(body: string, caption: string): string {
  return `<figure>${body}<figcaption>${caption}</figcaption></figure>`;
}

/**
 * A chart's place in the page (for the chart builders): the chart fills the column and resizes with it;
 * if it cannot shrink (a fixed-width view) it scrolls inside its own box, and the caption (HTML) stays
 * outside that box, so on a phone it never scrolls away. In dark mode the box keeps a light card so a
 * chart drawn for white paper stays legible; in print it fits the column.
 */
export function placeChart(id: string, body: string, caption: string): string {
  return (
    `<figure class="chart" id="${esc(id)}"><div class="chartbox">${body}</div>` +
    `<figcaption>${caption}</figcaption></figure>`
  );
}

function table1Html(input: ReportInput): string {
  const rows = sortBySet(input.table1);
  const body = rows
    .map((r) => {
      const p = (POSTER_TABLE1 as Record<string, { bestVal: number; test: number } | undefined>)[r.set];
      const delta = p && Number.isFinite(r.test) ? r.test - p.test : NaN;
      const d = Number.isFinite(delta) ? (delta > 0 ? "+" : "") + fixed(delta, 3) : MISSING;
      return (
        `<tr><td>${esc(setLabel(r.set))}</td><td>${num(fixed(r.bestVal, 3))}</td><td>${Number.isInteger(r.bestEpoch) ? r.bestEpoch : MISSING}</td>` +
        `<td>${num(fixed(r.test, 3))}</td><td class="sep">${num(fixed(p?.bestVal, 2))}</td><td>${num(fixed(p?.test, 2))}</td>` +
        `<td class="sep">${num(d)}</td></tr>`
      );
    })
    .join("");
  return (
    `<div class="tablewrap"><table class="t1"><caption><b>Table 1.</b> Training results: best validation accuracy over the epochs, the epoch it was reached (1-based), ` +
    `and the accuracy of that epoch's weights on the test set, beside the poster's Table 1. \u0394 test is this run's test accuracy minus the poster's: ` +
    `a difference of setups, not a score (this run trains ${esc(epochsText(input))}, the poster's models differ).</caption>` +
    `<thead><tr><th></th><th class="group" colspan="3">This run</th><th class="group sep" colspan="2">Poster</th><th class="sep"></th></tr>` +
    `<tr><th>Model</th><th>Best val.</th><th>Epoch</th><th>Test</th><th class="sep">Best val.</th><th>Test</th><th class="sep">\u0394 test</th></tr></thead>` +
    `<tbody>${body}</tbody></table></div>`
  );
}

/** Table 1 over several training runs (--runs): mean ± sd of each set's accuracies, or "" for one run. */
function table1RunsHtml(input: ReportInput): string {
  const runs = input.table1Runs;
  if (!runs || runs.runs < 2) return "";
  const body = sortBySet(runs.rows)
    .map(
      (r) =>
        `<tr><td>${esc(setLabel(r.set))}</td><td>${num(meanSd(r.bestValMean, r.bestValSd, 3))}</td><td>${num(meanSd(r.testMean, r.testSd, 3))}</td></tr>`,
    )
    .join("");
  return (
    `<div class="tablewrap"><table class="t1"><caption><b>Table 1b.</b> The same over ${runs.runs} training runs (seeds ${esc(runs.seeds.join(", "))}: ` +
    `initial weights and data order differ, the data and augmented copies do not): mean \u00b1 sample sd. Table 1 shows the first run.</caption>` +
    `<thead><tr><th>Model</th><th>Best val.</th><th>Test</th></tr></thead><tbody>${body}</tbody></table></div>`
  );
}

function metricsHtml(input: ReportInput, baselineSet: string): string {
  const rows = sortBySet(input.metrics);
  const cells = (s: MetricStats) =>
    METRICS.map((m) => `<td>${num(meanSd(s[m.key], s[m.sdKey], m.digits))}</td>`).join("");
  let body = rows
    .map((r) => `<tr><td>${esc(setLabel(r.set))}${r.set === baselineSet ? " (baseline)" : ""}</td>${cells(r)}</tr>`)
    .join("");
  if (input.noiseFloor)
    body += `<tr class="floor"><td>${esc(noiseFloorLabel(input.noiseFloor, baselineSet))}</td>${cells(input.noiseFloor)}</tr>`;
  const heads = METRICS.map(
    (m) => `<th>${esc(m.short)}${m.unit ? ` <span class="meta">(${esc(m.unit)})</span>` : ""}</th>`,
  ).join("");
  return (
    `<div class="tablewrap"><table class="metrics"><caption><b>Table 2.</b> Saliency metrics, mean \u00b1 sd over the query images. ` +
    `CC, KL, SIM and Spearman compare each model's map with ${esc(setLabel(baselineSet))}'s map of the same image; the entropies describe each model's own maps. ` +
    `The last row is ${esc(input.noiseFloor ? noiseFloorLabel(input.noiseFloor, baselineSet) : "the noise floor")}: how far retraining alone moves the maps.</caption>` +
    `<thead><tr><th>Model</th>${heads}</tr></thead><tbody>${body}</tbody></table></div>`
  );
}

/** Table 2 over several training runs (--runs): each set's per-run means, then their mean ± sd. */
function metricsRunsHtml(input: ReportInput, baselineSet: string): string {
  const mr = input.metricsRuns;
  if (!mr || mr.runs < 2 || !mr.rows) return "";
  const rows = sortBySet(mr.rows).filter((r) => r.set !== baselineSet);
  const cells = (s: MetricStats) =>
    METRICS.map((m) => `<td>${num(meanSd(s[m.key], s[m.sdKey], m.digits))}</td>`).join("");
  const body = rows.map((r) => `<tr><td>${esc(setLabel(r.set))}</td>${cells(r)}</tr>`).join("");
  const heads = METRICS.map(
    (m) => `<th>${esc(m.short)}${m.unit ? ` <span class="meta">(${esc(m.unit)})</span>` : ""}</th>`,
  ).join("");
  return (
    `<div class="tablewrap"><table class="metrics"><caption><b>Table 2b.</b> The same over ${mr.runs} training runs (seeds ${esc(mr.seeds.join(", "))}): ` +
    `in each run every model is compared with that run's ${esc(setLabel(baselineSet))}; shown are the mean \u00b1 sample sd across runs of the per-run means.</caption>` +
    `<thead><tr><th>Model</th>${heads}</tr></thead><tbody>${body}</tbody></table></div>`
  );
}

function verdictHtml(judgements: MetricJudgement[]): string {
  const sets = judgements[0]?.items.map((i) => i.set) ?? [];
  if (sets.length === 0) return `<p class="meta">No augmented model to compare.</p>`;
  const head = sets.map((s) => `<th>${esc(setLabel(s))}</th>`).join("");
  const rows = judgements
    .map((j) => {
      const cells = j.items
        .map(
          (i) =>
            `<td class="v-${i.verdict}">${num(fixed(i.value, j.metric.digits))}<span class="chip">${esc(VERDICT_TEXT[i.verdict])}</span></td>`,
        )
        .join("");
      return `<tr><td>${esc(j.metric.short)}</td>${cells}</tr>`;
    })
    .join("");
  return (
    `<div class="tablewrap"><table class="verdicts"><caption><b>Table 3.</b> Each augmentation's mean against the seed noise floor ` +
    `(rule below): <b>beyond</b> = changes the maps more than retraining does; <b>within</b> = not distinguishable from retraining; ` +
    `<b>closer</b> = more like the baseline than the retrained baseline is.</caption>` +
    `<thead><tr><th>Metric</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>` +
    `<ul class="statements">${judgements.map((j) => `<li>${statementHtml(j.statement)}</li>`).join("")}</ul>`
  );
}

/** Table 3 from the study's tests: paired differences to the matching floor with intervals and
 *  Holm-corrected verdicts, the paired dot plots, and the poster's claims as tests. */
function statsSectionHtml(st: StudyStats, charts: readonly Chart[]): string {
  const d = st.design;
  const caption =
    `<b>Table 3.</b> Mean paired difference (set \u2212 ${esc(d.primaryFloor)} floor) over ` +
    `${st.maps[0]?.n ?? 0} ${st.maps[0]?.unit === "run" ? "runs (per-run means over the query images)" : "query images of one run"}, ` +
    `${d.level * 100}% t-interval, exact sign-flip test, Holm-corrected within each method's ${st.maps.length / Math.max(d.methods.length, 1)} tests. ` +
    `For CC, SIM and Spearman a positive difference means closer to ${esc(setLabel(d.baseline))} than the floor; for KL, further.`;
  const plots = ["paired-cc", "paired-kl"]
    .map((n) => charts.find((c) => c.name === n))
    .filter((c): c is Chart => c !== undefined)
    .map((c) => `<figure class="chart">${chartHtml(c)}</figure>`)
    .join("");
  const claim = charts.find((c) => c.name === "accuracy-vs-saliency");
  return (
    statsTableHtml(st, caption) +
    (plots ? `<div class="stack">${plots}</div>` : "") +
    `<p class="meta">${esc(d.varianceCovered)} Intervals: ${d.level * 100}% t-intervals (a percentile bootstrap over the same units is in results.json). ` +
    `Every test's inputs, raw and Holm p, and the t and Wilcoxon tests beside the primary one are in results.json under "stats".</p>` +
    `<h3>The poster's claims, tested</h3>` +
    claimsHtml(st) +
    (claim
      ? figure(
          chartHtml(claim),
          `<b>Accuracy gain vs saliency change.</b> Each point is one model of one run: its test-accuracy gain ` +
            `over Orig against the correlation (CC) of its maps with Orig's. The line of text is the test above ` +
            `(Spearman's \u03c1, its interval when there are runs to resample, and the permutation p); the ` +
            `drop-down picks the attribution method.`,
        )
      : "")
  );
}

/** The range of the models' mean spatial entropy as a share of its maximum ln(pixels), e.g. "92–94%". */
function entropyShare(metrics: readonly MetricStats[], pixels: number): string {
  const shares = metrics.map((m) => (100 * m.entropySpatial) / Math.log(pixels)).filter(Number.isFinite);
  if (!shares.length) return MISSING;
  const lo = fixed(Math.min(...shares), 0);
  const hi = fixed(Math.max(...shares), 0);
  return lo === hi ? `${lo}%` : `${lo}\u2013${hi}%`;
}

/** The statement with its leading "Name:" in bold. */
function statementHtml(s: string): string {
  const i = s.indexOf(":");
  return i > 0 ? `<b>${esc(s.slice(0, i))}</b>${num(s.slice(i))}` : num(s);
}

function ruleHtml(baseline: string): string {
  const b = esc(setLabel(baseline));
  return (
    `<div class="rule"><p><b>The rule.</b> The noise floor <var>m</var><sub>0</sub> \u00b1 <var>s</var><sub>0</sub> is the statistic of a second ${b} model ` +
    `(same data, another seed) against the baseline ${b}, as mean \u00b1 sd over the query images. For an augmented model with mean <var>m</var>:</p><ul>` +
    `<li><b>CC, SIM, Spearman</b> (higher = more like the baseline): <b>beyond</b> if <var>m</var> &lt; <var>m</var><sub>0</sub> \u2212 <var>s</var><sub>0</sub>; ` +
    `<b>closer</b> if <var>m</var> &gt; <var>m</var><sub>0</sub> + <var>s</var><sub>0</sub>; otherwise <b>within</b>.</li>` +
    `<li><b>KL</b> (higher = less like the baseline): <b>beyond</b> if <var>m</var> &gt; <var>m</var><sub>0</sub> + <var>s</var><sub>0</sub>; ` +
    `<b>closer</b> if <var>m</var> &lt; <var>m</var><sub>0</sub> \u2212 <var>s</var><sub>0</sub>; otherwise <b>within</b>.</li>` +
    `<li><b>Entropies</b> (a property of each model's own maps): with <var>H</var><sub>0</sub> the baseline's entropy and <var>H</var><sub>s</sub> \u00b1 <var>s</var><sub>s</sub> the second seed's, ` +
    `the tolerance is <var>t</var> = |<var>H</var><sub>s</sub> \u2212 <var>H</var><sub>0</sub>| + <var>s</var><sub>s</sub>; <b>beyond</b> if |<var>m</var> \u2212 <var>H</var><sub>0</sub>| &gt; <var>t</var>, otherwise <b>within</b>.</li></ul>` +
    `<p>This is a descriptive screen with a one-sd margin from a single extra seed, not a significance test: "within" does not prove the maps are the same, ` +
    `and with few query images the sd itself is uncertain.</p></div>`
  );
}

function glanceHtml(input: ReportInput, judgements: MetricJudgement[]): string {
  const items: string[] = [];
  const t1 = input.table1.filter((r) => Number.isFinite(r.test));
  if (t1.length) {
    const best = t1.reduce((a, b) => (b.test > a.test ? b : a));
    const posterBest = (Object.entries(POSTER_TABLE1) as [keyof typeof SET_LABELS, { test: number }][]).reduce(
      (a, b) => (b[1].test > a[1].test ? b : a),
    );
    items.push(
      `<li><strong>Best test accuracy:</strong> ${esc(setLabel(best.set))}, ${num(fixed(best.test, 3))} ` +
        `(poster: ${esc(SET_LABELS[posterBest[0]])}, ${num(fixed(posterBest[1].test, 2))}).</li>`,
    );
  }
  if (input.stats) {
    items.push(...statsGlanceItems(input.stats));
    // One line per method can repeat word for word (e.g. "too few units"): say each once.
    return `<div class="glance"><strong>At a glance</strong><ul>${[...new Set(items)].join("")}</ul></div>`;
  }
  for (const key of ["cc", "kl", "entropySpatial"]) {
    const j = judgements.find((x) => x.metric.key === key);
    if (!j) continue;
    if (!j.band) {
      items.push(`<li><strong>${esc(j.metric.short)}:</strong> no noise floor to judge against.</li>`);
      continue;
    }
    const beyond = j.items.filter((i) => i.verdict === "beyond").map((i) => setLabel(i.set));
    const rest = j.items.filter((i) => i.verdict !== "beyond").map((i) => setLabel(i.set));
    const verb = (plural: string, singular: string) => (beyond.length === 1 ? singular : plural);
    const what =
      j.metric.kind === "entropy"
        ? `${verb("change", "changes")} ${j.metric.name} more than retraining does`
        : `${verb("move", "moves")} saliency more than retraining does`;
    const first = beyond.length
      ? `${esc(andList(beyond))} ${esc(what)}`
      : "no augmentation is beyond the seed noise floor";
    const second =
      beyond.length && rest.length ? `; ${esc(andList(rest))} ${rest.length === 1 ? "does" : "do"} not` : "";
    items.push(`<li><strong>${esc(j.metric.short)}:</strong> ${first}${second}.</li>`);
  }
  return items.length ? `<div class="glance"><strong>At a glance</strong><ul>${items.join("")}</ul></div>` : "";
}

function andList(xs: string[]): string {
  return xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`;
}

function readHtml(baseline: string): string {
  const b = esc(setLabel(baseline));
  return (
    `<dl class="read">` +
    `<dt>Saliency maps</dt><dd>Vanilla gradient (Simonyan, Vedaldi &amp; Zisserman, 2014): the absolute value of the derivative of the true class's score ` +
    `with respect to each input pixel, |\u2202<var>S</var><sub><var>y</var></sub>/\u2202<var>x</var>|, for each model's best-validation weights. Bright = the score is sensitive to that pixel.</dd>` +
    `<dt>Colour scale of Figure 4</dt><dd>Viridis, perceptually uniform and readable in greyscale. With the shared scale, the six maps of one query are divided by ` +
    `the largest value among them, so a model whose gradients are weaker looks darker; the largest value is printed at the end of the row. ` +
    `With the per-map scale, each map is divided by its own Captum threshold (the value below which 98% of the map's total attribution lies), so every map uses the full range and only shapes compare.</dd>` +
    `<dt>CC</dt><dd>Pearson correlation between a model's map and ${b}'s map of the same image (1 = same pattern up to scale).</dd>` +
    `<dt>KL</dt><dd>Kullback\u2013Leibler divergence between the two maps, each normalised to sum to 1, with ${b}'s map as the reference distribution ` +
    `(<var>Q</var> in the poster's Eq. 2, as the MIT saliency benchmark treats its ground truth; a small \u03b5 keeps it finite). 0 = identical; not symmetric.</dd>` +
    `<dt>Entropy</dt><dd>Spatial entropy treats the normalised map as a probability distribution over pixels (in nats; at most ln 784 \u2248 6.66 for 28\u00d728): lower = attention concentrated on fewer pixels. ` +
    `Histogram entropy is the entropy of the distribution of the map's values (in bits).</dd>` +
    `<dt>SIM and Spearman</dt><dd>SIM is the MIT saliency benchmark's similarity.m: each map is min-max normalised to [0, 1], then divided by its sum, ` +
    `and SIM is the sum over pixels of the smaller of the two values (1 = identical, 0 = disjoint); Spearman is the rank correlation of the pixel values.</dd>` +
    `<dt>Noise floor</dt><dd>Two ${b} models that differ only in their data order (the <i>reorder</i> floor: same initial weights) or in their initial weights and ` +
    `data order (the <i>retrain</i> floor) already disagree somewhat. An augmentation "changes saliency" only when it differs from ${b} by more than the floor ` +
    `that matches the design does, in a paired test (Table 3).</dd>` +
    `</dl>`
  );
}

const WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
/** "six" for 6, "14" for 14: counts in running text follow the configuration. */
export function numberWord(n: number): string {
  return Number.isInteger(n) && n >= 0 && n < WORDS.length ? WORDS[n] : String(n);
}
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A visible warning when the models are near chance (the stats' own warning, else Table 1's test accuracy). */
function nearChanceWarning(input: ReportInput): string {
  const w = input.stats?.nearChance?.warning;
  if (w) return `<div class="warn" role="note"><b>Near chance.</b> ${esc(w)}</div>`;
  if (input.stats) return "";
  const low = input.table1.filter((r) => Number.isFinite(r.test) && r.test < 0.2);
  if (!low.length) return "";
  return (
    `<div class="warn" role="note"><b>Near chance.</b> ${esc(andList(low.map((r) => setLabel(r.set))))} ` +
    `${low.length === 1 ? "tests" : "test"} below 0.2 (chance is 0.1 for ten classes): their saliency maps explain ` +
    `models that barely learned, so differences between them say little. Train longer (--epochs, --steps).</div>`
  );
}

/** Figure 4: the controls (scale, method), one panel per method and scale, the caption outside the scroll box.
 *  The switch is CSS only (radio inputs before the panels), so it works offline, without scripts and in print. */
function figure4Html(input: ReportInput, first: "shared" | "per-map"): string {
  const f4 = input.figures.figure4;
  if (!f4 || !f4.panels.length) return `<div class="missing">Not rendered in this run.</div>`;
  const radios =
    `<input type="radio" class="vh" name="f4scale" id="f4-shared"${first === "shared" ? " checked" : ""}>` +
    `<input type="radio" class="vh" name="f4scale" id="f4-permap"${first === "per-map" ? " checked" : ""}>` +
    f4.panels
      .map(
        (p, i) =>
          `<input type="radio" class="vh" name="f4method" id="f4m-${esc(p.method)}"${i === 0 ? " checked" : ""}>`,
      )
      .join("");
  const ctl =
    `<div class="f4ctl"><div class="grp" role="group" aria-label="Colour scale"><span>Scale</span>` +
    `<label for="f4-shared">shared per query</label><label for="f4-permap">per map (Captum)</label></div>` +
    (f4.panels.length > 1
      ? `<div class="grp" role="group" aria-label="Attribution method"><span>Method</span>` +
        f4.panels.map((p) => `<label for="f4m-${esc(p.method)}">${esc(p.label)}</label>`).join("") +
        `</div>`
      : "") +
    `</div>`;
  const panels = f4.panels
    .map(
      (p) =>
        `<div class="f4p" data-s="shared" data-m="${esc(p.method)}">${svgFigure(p.shared)}</div>` +
        `<div class="f4p" data-s="per-map" data-m="${esc(p.method)}">${svgFigure(p.perMap)}</div>`,
    )
    .join("");
  const qs = input.queries ?? [];
  const part =
    f4.shown < f4.total
      ? ` The page shows the first ${f4.shown} of ${f4.total} query images; figures/ shows ${f4.files ?? f4.shown}, ` +
        `saliency/ holds every map.`
      : "";
  const rows =
    (qs.length
      ? ` Rows: test images ${qs
          .slice(0, f4.shown)
          .map((q) => `#${q.index} (${q.label})`)
          .join(", ")}.`
      : "") + part;
  const caption =
    `<b>Figure 4.</b> Saliency of each model for the query images (first column; true class at the left), ` +
    `one panel per attribution method. Top row of each query: |saliency| in viridis; under each map, the model's prediction ` +
    `and its softmax probability (\u2717 = wrong). Second row: the signed map in RdBu (ColorBrewer, reversed: blue negative, ` +
    `white 0, red positive; colour-blind safe). <b>Shared scale:</b> the maps of one query and row are divided by the largest ` +
    `value among them (printed at the right), so a weaker map looks darker. <b>Per-map scale:</b> each map is divided by its own ` +
    `Captum threshold (visualize_image_attr's outlier_perc = 2: the top 2% of its attribution mass saturate), so every map uses ` +
    `the full range and only shapes compare.${rows} The same figures are in figures/figure4-shared.svg and figure4-permap.svg (and .png).`;
  return (
    `<figure class="f4" id="fig4">${radios}${ctl}<div class="figscroll">${panels}</div>` +
    `<figcaption>${caption}</figcaption></figure>`
  );
}

/** The CSS that shows the chosen Figure 4 panel and marks the chosen buttons. */
function figure4Css(input: ReportInput): string {
  const f4 = input.figures.figure4;
  if (!f4) return "";
  const on = `{background:var(--accent);color:var(--bg);border-color:var(--accent)}`;
  const focus = `{outline:2px solid var(--accent);outline-offset:2px}`;
  const rules = [
    `#f4-shared:checked~.figscroll .f4p[data-s="per-map"],#f4-permap:checked~.figscroll .f4p[data-s="shared"]{display:none}`,
    `#f4-shared:checked~.f4ctl label[for="f4-shared"],#f4-permap:checked~.f4ctl label[for="f4-permap"]${on}`,
    `#f4-shared:focus-visible~.f4ctl label[for="f4-shared"],#f4-permap:focus-visible~.f4ctl label[for="f4-permap"]${focus}`,
  ];
  for (const p of f4.panels) {
    const id = `#f4m-${p.method}`;
    rules.push(
      `${id}:checked~.figscroll .f4p:not([data-m="${p.method}"]){display:none}`,
      `${id}:checked~.f4ctl label[for="f4m-${p.method}"]${on}`,
      `${id}:focus-visible~.f4ctl label[for="f4m-${p.method}"]${focus}`,
    );
  }
  return rules.join("\n");
}

/** The files beside the page, as links. */
function linksHtml(input: ReportInput): string {
  const links = input.links ?? [];
  if (!links.length) return "";
  return (
    `<ul class="links">` +
    links
      .map((l) => `<li><a href="${esc(l.path)}">${esc(l.path)}</a>${l.what ? ` \u2014 ${esc(l.what)}` : ""}</li>`)
      .join("") +
    `</ul>`
  );
}

/** Table captions move out of their scroll containers (a caption inside scrolls away on a phone). */
export function captionsOutside(html: string): string {
  return html.replace(
    /<div class="tablewrap">(<table[^>]*>)<caption>([\s\S]*?)<\/caption>/g,
    (_, table: string, caption: string) => `<p class="caption">${caption}</p><div class="tablewrap">${table}`,
  );
}

/** The complete report page as one HTML string. */
export function renderReportHtml(input: ReportInput): string {
  const baselineSet = input.baselineSet ?? BASELINE_SET;
  const title = input.title ?? "Explaining the effect of data augmentation on image classification";
  const pv = input.provenance;
  const judgements = METRICS.map((m) => judgeMetric(m, sortBySet(input.metrics), input.noiseFloor, baselineSet));
  const fig4Scale = input.figure4Scale ?? "shared";
  const charts = reportCharts(input);
  const chart = (name: string) => chartHtml(charts.find((c) => c.name === name)!);
  const friedman = friedmanLines(input);
  const pixels = input.mapPixels;

  const cfg = input.config as Record<string, unknown>;
  const augs = Array.isArray(cfg.aug) ? (cfg.aug as string[]) : SET_ORDER.filter((x) => x !== "orig");
  const methods = input.explain?.methods ?? (Array.isArray(cfg.methods) ? (cfg.methods as string[]) : ["vanilla"]);
  const nRuns = input.table1Runs?.runs ?? (Number(cfg.runs) || 1);
  const perClass = Number(cfg.trainPerClass);
  const copies = Number(cfg.copies);
  const nTrain = Number.isFinite(perClass) ? perClass * 10 : NaN;
  const sets = ["orig", ...augs];
  const models = input.seeds ? Object.keys(input.seeds).length : sets.length;
  const count = (n: number, one: string, many = one + "s") => `${numberWord(n)} ${n === 1 ? one : many}`;
  const design = input.stats?.design;
  const designSentence = design
    ? `<p><b>Design.</b> Every comparison is paired: each augmented model and its ${esc(setLabel(design.baseline))} share ` +
      `${design.init === "shared" ? "their initial weights and data order" : "their seed"}, and each difference is measured against the ` +
      `<i>${esc(design.primaryFloor)}</i> floor (the primary floor); the unit of replication is the ` +
      `${input.stats!.maps[0]?.unit === "run" ? `training run (${count(nRuns, "run")})` : "query image (one run; more runs with --runs)"}.</p>`
    : "";
  const setupText =
    `<p>${cap(count(sets.length, "training set"))}, one small CNN each, all of one architecture trained from scratch` +
    `${Number.isFinite(nTrain) ? ` on ${nTrain.toLocaleString("en-US")} training images` : ""}: the originals` +
    (augs.length
      ? `, and the originals plus ${Number.isFinite(copies) ? numberWord(copies) : "some"} augmented copies of each under ` +
        `${esc(andList(augs.map((x) => setLabel(x))))}`
      : "") +
    `. Each model keeps the weights of its best validation epoch; ${count(methods.length, "attribution method")} ` +
    `explain${methods.length === 1 ? "s" : ""} them over ${count(nRuns, "training run")} ` +
    `(${count(models, "trained model")} in each run, controls included). ` +
    (input.stats
      ? `Controls: ${input.stats.design.sets.includes("repeat") ? "a <i>Repeat</i> set (the originals repeated to the augmented sets' size, trained exactly like them) and " : ""}` +
        `two noise floors, ${esc(setLabel(baselineSet))} retrained with another data order (<i>reorder</i>) and with new initial weights and order (<i>retrain</i>). ` +
        `${esc(input.stats.design.note)}</p>`
      : `A second ${esc(setLabel(baselineSet))} model trained with another seed measures how much retraining alone changes the saliency maps.</p>`) +
    designSentence;
  const setupTable = input.setup?.length
    ? `<table class="setup"><tbody>${input.setup.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${num(v)}</td></tr>`).join("")}` +
      (pv.command ? `<tr><th>Command</th><td class="mono">${esc(pv.command)}</td></tr>` : "") +
      `</tbody></table>`
    : `<div class="kv">${flattenConfig({ ...input.config, ...(input.seeds ? { seeds: input.seeds } : {}) })
        .map(([k, v]) => `<div><span>${esc(k)}</span><span>${num(v)}</span></div>`)
        .join("")}</div>`;
  const warning = nearChanceWarning(input);
  const setup = setupText + warning + setupTable;
  const figure4 = figure4Html(input, fig4Scale);
  const fig1Cols = ["orig", ...augs];

  const parts = [
    `<header><div class="eyebrow">augsal report</div><h1>${esc(title)}</h1>` +
      `<p class="byline">A reproduction of J. Tang, M. Sharma and R. Zhang, <i>Explaining the Effect of Data Augmentation on Image Classification Tasks</i> ` +
      `(Stanford CS231n poster), with augsal ${esc(pv.version)}.</p>` +
      `<div class="meta">Run of ${esc(pv.createdAt)} \u00b7 wasm SHA-256 <code>${esc(pv.wasmSha256.slice(0, 12))}\u2026</code> \u00b7 Node ${esc(pv.node)}</div>` +
      `<nav><a href="#setup">Setup</a><a href="#data">Data</a><a href="#training">Training</a><a href="#saliency">Saliency maps</a>` +
      `<a href="#metrics">Metrics</a>${input.explain?.trust ? `<a href="#trust">Trust</a>` : ""}<a href="#reading">How to read this</a><a href="#provenance">Provenance</a></nav>` +
      glanceHtml(input, judgements) +
      (input.stats ? "" : warning) +
      `</header>`,
    section("setup", 1, "Setup and parameters", setup),
    section(
      "data",
      2,
      "Data",
      figure(
        `<div class="figscroll">${svgFigure(input.figures.figure1)}</div>`,
        `<b>Figure 1.</b> Dataset examples: the same training digits (class at the left) in each of the ${numberWord(fig1Cols.length)} training sets, ` +
          `left to right ${fig1Cols.map((x) => esc(setLabel(x))).join(", ")}. ` +
          `Pixels are shown as stored (white digit on black), enlarged without smoothing.`,
      ),
    ),
    section(
      "training",
      3,
      "Training",
      table1Html(input) +
        table1RunsHtml(input) +
        figure(
          chart("figure2"),
          `<b>Figure 2.</b> (a) Training loss of every step (faint) and its trailing mean over the last <i>k</i> steps ` +
            `(the slider; <i>k</i> starts at one epoch's steps), (b) validation loss and (c) validation accuracy after each ` +
            `epoch, over ${Math.max(0, ...input.histories.map((h) => h.epochLoss.length))} epochs. The ring on each curve is ` +
            `the epoch whose weights were kept (best validation accuracy, Table 1). Each model has its own colour ` +
            `(Okabe\u2013Ito palette), marker and dash pattern; click a legend entry to pick models (shift-click for more), ` +
            `drag or scroll in a panel to pan and zoom, hover for values.`,
        ),
    ),
    section("saliency", 4, "Saliency maps", figure4),
    section(
      "metrics",
      5,
      "Comparing the maps",
      figure(
        chart("figure3"),
        `<b>Figure 3.</b> Shannon entropy of each model's saliency maps, mean \u00b1 sd over the query images, in two readings: ` +
          `(a) <i>spatial entropy</i> in nats, of the map as a distribution over its pixels` +
          (pixels
            ? `, whose maximum (a uniform map) is ln ${pixels} = ${num(fixed(Math.log(pixels), 2))}, the solid grey line; ` +
              `the axis does not start at 0. The models' maps sit at ${entropyShare(input.metrics, pixels)} of that ` +
              `maximum: the nearer 100%, the more evenly the map is spread over the image`
            : "") +
          `; (b) <i>histogram entropy</i> in bits, of the distribution of the map's values. ` +
          (friedman.length ? `${esc(friedman.join("; "))}. ` : "") +
          `The dashed line and grey band are ${esc(setLabel(baselineSet))}'s entropy \u00b1 the floor's tolerance ` +
          `(|H floor \u2212 H ${esc(setLabel(baselineSet))}| + the floor's sd), a descriptive band${input.stats ? "; the tests are in Table 3" : " (Table 3's rule)"}.`,
      ) +
        figure(
          chart("figure5"),
          `<b>Figure 5.</b> (a) CC and (b) KL of each augmented model's maps against ${esc(setLabel(baselineSet))}'s, mean \u00b1 sd over the query images. ` +
            `The dashed line and grey band are the noise floor (Table 2's last row) \u00b1 its sd over the query images, compared in the same way` +
            `${input.stats ? "; descriptive only, the tests are in Table 3" : ""}.`,
        ) +
        metricsHtml(input, baselineSet) +
        metricsRunsHtml(input, baselineSet) +
        `<h3>Is the change bigger than retraining?</h3>` +
        (input.stats ? statsSectionHtml(input.stats, charts) : verdictHtml(judgements) + ruleHtml(baselineSet)),
    ),
    ...(input.explain?.trust
      ? [
          section(
            "trust",
            6,
            "Other methods, and can the maps be trusted?",
            trustHtml(input.explain as TrustReport, baselineSet, input.faithfulnessCurves),
          ),
        ]
      : []),
    section("reading", input.explain?.trust ? 7 : 6, "How to read this", readHtml(baselineSet)),
    section(
      "provenance",
      input.explain?.trust ? 8 : 7,
      "Provenance",
      `<div class="kv">` +
        `<div><span>augsal version</span><span>${esc(pv.version)}</span></div>` +
        `<div><span>Created</span><span>${esc(pv.createdAt)}</span></div>` +
        `<div><span>Node</span><span>${esc(pv.node)}</span></div>` +
        (pv.command ? `<div><span>Command</span><span class="mono">${esc(pv.command)}</span></div>` : "") +
        `<div><span>wasm SHA-256</span><span class="mono sha">${esc(pv.wasmSha256)}</span></div>` +
        `</div><p class="meta">The numbers are reproducible bit for bit from the same version, wasm core and parameters; ` +
        `the files beside this page hold them in machine-readable form:</p>` +
        linksHtml(input),
    ),
  ];

  const page = captionsOutside(parts.join("\n"));
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="generator" content="augsal ${esc(pv.version)}">` +
    `<title>${esc(title)}</title><style>${CSS}${figure4Css(input)}</style></head>\n<body><main>\n${page}\n` +
    `<footer>Generated by augsal ${esc(pv.version)} on ${esc(pv.createdAt)}. Colours: viridis for maps, Okabe\u2013Ito for models.</footer>` +
    `</main>${vegaRuntimeHtml()}</body></html>\n`
  );
}
