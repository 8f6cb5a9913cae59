import { suite } from "uvu";
import * as assert from "uvu/assert";
import { renderReportHtml, flattenConfig, placeChart, pngSize } from "../../src/report/html.js";
import { renderAll } from "../../src/report/index.js";
import { createCanvas, encodePng } from "../../src/report/png.js";
import { figure1Svg, figure4PanelSvg, type Figure4Input } from "../../src/report/figures.js";
import { smallInput } from "./fixture.js";
import { checkWellFormed } from "./xml.js";

const h = suite("report/html");
const png = encodePng(createCanvas(12, 7, [1, 2, 3]));
const fig1 = figure1Svg([{ label: 1, original: new Float32Array(784), augmented: {} }], { columns: ["orig"] });
const f4in: Figure4Input = {
  queries: [{ image: new Float32Array(784), label: 1 }],
  sets: ["orig", "crop"],
  methods: ["vanilla", "ig"].map((id) => ({ id, label: id, abs: [[new Float32Array(784), new Float32Array(784)]] })),
};
const fig4 = {
  panels: ["vanilla", "ig"].map((m) => ({
    method: m,
    label: m,
    shared: figure4PanelSvg(f4in, m, "shared", `s${m}`),
    perMap: figure4PanelSvg(f4in, m, "per-map", `p${m}`),
  })),
  shown: 1,
  total: 10,
};

h("the summary agrees in number: one set 'moves', two sets 'move'", () => {
  // fixture: Scaling (CC 0.5) is beyond the noise floor (0.8 ± 0.05), RandCrop (0.78) within
  const one = renderReportHtml(smallInput());
  assert.match(one, /<strong>CC:<\/strong> Scaling moves saliency more than retraining does; RandCrop does not\./);
  const input = smallInput();
  input.metrics = input.metrics.map((m) => (m.set === "crop" ? { ...m, cc: 0.4 } : m));
  assert.match(
    renderReportHtml(input),
    /<strong>CC:<\/strong> Scaling and RandCrop move saliency more than retraining does\./,
  );
});

h("Table 1b appears only for several runs, with mean ± sd per set", () => {
  assert.not.match(renderReportHtml(smallInput()), /Table 1b/);
  const rows = [{ set: "orig", bestValMean: 0.8, bestValSd: 0.01, testMean: 0.78, testSd: 0.02 }];
  const html = renderReportHtml(smallInput({ table1Runs: { runs: 3, seeds: [0, 1, 2], rows } }));
  assert.match(html, /Table 1b\.<\/b> The same over 3 training runs \(seeds 0, 1, 2/);
  assert.match(html, /<td>Orig<\/td><td>[^<]*0\.800 \u00b1 0\.010[^<]*<\/td><td>[^<]*0\.780 \u00b1 0\.020/);
});

h("Table 2b appears only for several runs and leaves the baseline out", () => {
  assert.not.match(renderReportHtml(smallInput()), /Table 2b/);
  const rows = [
    {
      set: "orig",
      cc: 1,
      ccSd: 0,
      kl: 0,
      klSd: 0,
      entropySpatial: 6,
      entropySpatialSd: 0.1,
      entropyHist: 6,
      entropyHistSd: 0.1,
      sim: 1,
      simSd: 0,
      spearman: 1,
      spearmanSd: 0,
    },
    {
      set: "crop",
      cc: 0.5,
      ccSd: 0.05,
      kl: 0.6,
      klSd: 0.04,
      entropySpatial: 6.2,
      entropySpatialSd: 0.01,
      entropyHist: 6.4,
      entropyHistSd: 0.02,
      sim: 0.62,
      simSd: 0.01,
      spearman: 0.41,
      spearmanSd: 0.03,
    },
  ];
  const html = renderReportHtml(smallInput({ metricsRuns: { runs: 3, seeds: [0, 1, 2], rows } }));
  const table = html.slice(html.indexOf("Table 2b"), html.indexOf("</table>", html.indexOf("Table 2b")));
  assert.match(table, /over 3 training runs \(seeds 0, 1, 2\)/);
  assert.match(table, /<td>RandCrop<\/td><td>[^<]*0\.500 \u00b1 0\.050/);
  assert.not.match(table, /<td>Orig<\/td>/);
});

h("contains every section, figure and table, in the poster's order", () => {
  const html = renderReportHtml(smallInput({ figures: { figure1: fig1, figure4: fig4 } }));
  const marks = [
    "<h1>",
    'id="setup"',
    "Figure 1.",
    "Table 1.",
    "Figure 2.",
    "Figure 4.",
    "Figure 3.",
    "Figure 5.",
    "Table 2.",
    "Table 3.",
    "The rule.",
    'id="reading"',
    'id="provenance"',
  ];
  let at = -1;
  for (const m of marks) {
    const i = html.indexOf(m, at + 1);
    assert.ok(i > at, `${m} present and after the previous mark`);
    at = i;
  }
  assert.is((html.match(/<svg [^>]*class="augfig/g) ?? []).length, 5, "Figure 1 and four Figure 4 panels inline");
  assert.is((html.match(/<div class="vchart"/g) ?? []).length, 3, "three charts (Vega-Lite specs in the page)");
});

h("is self-contained: no http(s) reference, no external stylesheet, script or font", () => {
  const html = renderReportHtml(smallInput({ figures: { figure1: fig1, figure4: fig4 } }));
  // The inlined chart libraries and the specs ($schema) name URLs in their text; nothing outside a
  // script does, and no script, style or font is loaded from elsewhere (the Chromium test watches requests).
  const outside = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "");
  assert.not.ok(/https?:\/\//i.test(outside.replace(/xmlns="http:\/\/www.w3.org\/2000\/svg"/g, "")), "no URL");
  assert.not.ok(/<link|@import|@font-face|url\((?!#)/i.test(outside));
  assert.not.ok(/<script[^>]*\ssrc=/i.test(html));
});

h("is well-formed (tags balanced) and escapes user text", () => {
  const html = renderReportHtml(smallInput({ title: "A <b> & 'c'", config: { "x<y": "a&b" } }));
  checkWellFormed(html, true);
  assert.ok(html.includes("<title>A &lt;b&gt; &amp; &#39;c&#39;</title>"));
  assert.ok(html.includes("x&lt;y") && html.includes("a&amp;b"));
});

h("shows our Table 1 beside the poster's numbers", () => {
  const html = renderReportHtml(smallInput());
  assert.ok(
    html.includes('<td>RandCrop</td><td>0.880</td><td>3</td><td>0.867</td><td class="sep">0.88</td><td>0.87</td>'),
    "crop row",
  );
  assert.ok(html.includes("\u2212"), "a negative difference uses a real minus");
});

h("states the verdict per metric and the rule", () => {
  const html = renderReportHtml(smallInput());
  assert.ok(html.includes("Scaling (0.500) lies below the noise floor"));
  assert.ok(html.includes('class="v-beyond">0.500<span class="chip">beyond</span>'));
  assert.ok(html.includes('class="v-within">0.780<span class="chip">within</span>'));
  assert.ok(html.includes("descriptive screen"));
});

h("a NaN metric renders as '–', never 'NaN'", () => {
  const i = smallInput();
  i.metrics[1].cc = NaN;
  i.metrics[2].klSd = NaN;
  i.table1[0].test = NaN;
  i.histories[0].valAcc[1] = NaN;
  if (i.noiseFloor) i.noiseFloor.simSd = NaN;
  const html = renderReportHtml(i);
  // The inlined chart libraries (script elements without attributes) spell these words in their code.
  assert.not.ok(/NaN|undefined|Infinity/.test(html.replace(/<script>[\s\S]*?<\/script>/g, "")));
  assert.ok(html.includes("<td>\u2013</td>"));
  assert.ok(html.includes('class="v-unknown">\u2013'));
});

h("without a noise floor or figures the page still renders and says so", () => {
  const html = renderReportHtml(smallInput({ noiseFloor: null, figures: {} }));
  checkWellFormed(html, true);
  assert.ok(html.includes("no second-seed baseline was trained"));
  assert.is((html.match(/Not rendered in this run/g) ?? []).length, 2);
});

h("shows provenance passed in (the page never reads the clock)", () => {
  const html = renderReportHtml(smallInput());
  assert.ok(html.includes("ab".repeat(32)));
  assert.ok(html.includes("2024-01-02T03:04:05Z"));
  assert.ok(html.includes("v20.0.0"));
  assert.is(renderReportHtml(smallInput()), html, "deterministic");
});

h("flattenConfig and pngSize", () => {
  assert.equal(flattenConfig({ a: 1, b: { c: [1, 2], d: { e: "x" } }, f: NaN, g: [{ h: 1 }] }), [
    ["a", "1"],
    ["b.c", "1, 2"],
    ["b.d.e", "x"],
    ["f", "\u2013"],
    ["g", '[{"h":1}]'],
  ]);
  assert.equal(pngSize(png), { width: 12, height: 7 });
  assert.is(pngSize(new Uint8Array(30)), null);
  assert.throws(() => renderReportHtml(smallInput({ figures: { figure1: "<p>" } })), /not an SVG document/);
});

h("renderAll lists every file under its relative path", () => {
  const { files } = renderAll(smallInput({ figures: { figure1: fig1 } }));
  assert.equal(
    files.map((f) => f.path),
    [
      "table1.md",
      "table1.csv",
      "metrics.md",
      "metrics.csv",
      "figures/figure2.svg",
      "figures/figure2.vl.json",
      "figures/figure3.svg",
      "figures/figure3.vl.json",
      "figures/figure5.svg",
      "figures/figure5.vl.json",
      "report.html",
    ],
  );
  for (const f of files) {
    if (f.path.endsWith(".svg")) checkWellFormed(f.data as string);
    if (f.path.endsWith(".png")) assert.instance(f.data, Uint8Array);
  }
});

h.run();

// ---------------------------------------------------------------------------------------------
const page = suite("report/html: Figure 4's switch, text that follows the configuration, links");

page("Figure 4: a scale and a method switch in CSS, one panel each, the caption outside the scroll box", () => {
  const html = renderReportHtml(smallInput({ figures: { figure1: fig1, figure4: fig4 } }));
  checkWellFormed(html, true);
  const f = html.slice(
    html.indexOf('<figure class="f4"'),
    html.indexOf("</figure>", html.indexOf('<figure class="f4"')),
  );
  for (const id of ["f4-shared", "f4-permap", "f4m-vanilla", "f4m-ig"])
    assert.match(f, new RegExp(`<input [^>]*id="${id}"`));
  assert.match(f, /id="f4-shared" checked/);
  assert.match(html, /#f4m-ig:checked~\.figscroll \.f4p:not\(\[data-m="ig"\]\)\{display:none\}/);
  assert.match(html, /#f4-permap:checked~\.figscroll \.f4p\[data-s="shared"\]/);
  const scroller = f.slice(f.indexOf('<div class="figscroll">'));
  assert.ok(scroller.indexOf("<figcaption>") > scroller.lastIndexOf("</svg></div>"), "caption after the panels");
  assert.match(f, /<\/div><\/div><figcaption>/, "and outside the scroll box");
  assert.match(f, /the first 1 of 10 query images/);
  const permap = renderReportHtml(smallInput({ figures: { figure4: fig4 }, figure4Scale: "per-map" }));
  assert.match(permap, /id="f4-permap" checked/, "--scale per-map shows that scale first");
});

page("counts, the design and the Setup table follow the configuration; near chance is said", () => {
  const html = renderReportHtml(
    smallInput({
      config: { aug: ["blur"], methods: ["vanilla"], runs: 1, trainPerClass: 10, copies: 10, epochs: 3 },
      setup: [["Batch size", "33 (Orig), 366 (augmented)"]],
      provenance: { ...smallInput().provenance, command: "augsal --aug blur" },
    }),
  );
  assert.match(
    html,
    /Two training sets, one small CNN each, all of one architecture trained from scratch on 100 training images/,
  );
  assert.match(html, /augmented copies of each under Blur/);
  assert.match(html, /one attribution method explains them over one training run \(/);
  assert.not.match(html, /[Ss]ix (identical )?(small )?(models|CNNs)/);
  assert.match(
    html,
    /<table class="setup"><tbody><tr><th>Batch size<\/th><td>33 \(Orig\), 366 \(augmented\)<\/td><\/tr>/,
  );
  assert.match(html, /<tr><th>Command<\/th><td class="mono">/);
  assert.not.match(html, /<span>batch<\/span>/, "no raw keys when the setup is given");
  const low = smallInput();
  low.table1 = low.table1.map((r) => ({ ...r, test: 0.12 }));
  assert.match(renderReportHtml(low), /<div class="warn" role="note"><b>Near chance\.<\/b>/);
  assert.not.match(renderReportHtml(smallInput()), /class="warn"/);
});

page("Δ test is neutral (no better/worse colour); table captions sit outside the scroll boxes; links", () => {
  const html = renderReportHtml(smallInput({ links: [{ path: "table1.csv", what: "Table 1" }] }));
  assert.not.match(html, /class="sep (pos|neg)"/);
  assert.match(html, /a difference of setups, not a score \(this run trains 3 epochs,/);
  assert.not.match(html, /<div class="tablewrap"><table[^>]*><caption>/);
  assert.match(html, /<p class="caption"><b>Table 1\.<\/b>[^]*?<\/p><div class="tablewrap"><table class="t1">/);
  assert.match(html, /<li><a href="table1.csv">table1.csv<\/a> \u2014 Table 1<\/li>/);
  const { files } = renderAll(smallInput());
  const page = files.find((f) => f.path === "report.html")!.data as string;
  for (const p of ["table1.csv", "metrics.csv", "figures/figure2.svg"]) assert.ok(page.includes(`href="${p}"`), p);
});

page("placeChart: the chart in its own box, the caption outside it", () => {
  assert.is(
    placeChart("fig2", "<svg></svg>", "<b>Figure 2.</b> a & b"),
    '<figure class="chart" id="fig2"><div class="chartbox"><svg></svg></div><figcaption><b>Figure 2.</b> a & b</figcaption></figure>',
  );
});

page.run();
