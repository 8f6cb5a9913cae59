// The page side: each chart is a container carrying its Vega-Lite spec (a JSON script element), and
// one inlined copy of vega, vega-lite and vega-embed draws them all with the SVG renderer (crisp in
// print too), so report.html stays one offline file: nothing is fetched. The specs are fitted to the
// column width before embedding (src/report/charts/style.ts Fit) and redrawn when the column changes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageDir } from "../../node/packages.js";
import { escapeXml } from "../format.js";
import type { Spec } from "./style.js";

export interface Chart {
  /** File name without extension: figures/<name>.svg and figures/<name>.vl.json. */
  name: string;
  spec: Spec;
}

/** The spec as a JSON text safe inside a script element (no "</script", no "<!--"). */
export function specJson(spec: Spec): string {
  return JSON.stringify(spec).replace(/</g, "\\u003c");
}

/** The chart's container: the spec in a JSON script and the element vega-embed draws into. */
export function chartHtml(chart: Chart): string {
  const title =
    typeof chart.spec.title === "string" ? chart.spec.title : String((chart.spec.title as Spec)?.text ?? "");
  return (
    `<div class="vchart" id="chart-${escapeXml(chart.name)}" data-chart="${escapeXml(chart.name)}" role="img" ` +
    `aria-label="${escapeXml(title)}"><script type="application/json">${specJson(chart.spec)}</script>` +
    `<div class="vview"></div></div>`
  );
}

/** A figure: the chart and its caption (HTML). */
export function chartFigureHtml(chart: Chart, caption: string): string {
  return `<figure class="chart">${chartHtml(chart)}<figcaption>${caption}</figcaption></figure>`;
}

let bundles: string | null = null;

/** vega, vega-lite and vega-embed's browser builds, read once from node_modules. */
function runtimeScripts(): string {
  if (bundles !== null) return bundles;
  const file = (pkg: string, name: string) => {
    const text = readFileSync(join(packageDir(pkg), "build", name), "utf8").replace(/\/\/# sourceMappingURL=.*$/gm, "");
    if (/<\/script/i.test(text)) throw new Error(`${pkg}/${name} contains "</script": cannot inline it`);
    return `<script>${text}</script>`;
  };
  bundles =
    file("vega", "vega.min.js") + file("vega-lite", "vega-lite.min.js") + file("vega-embed", "vega-embed.min.js");
  return bundles;
}

/** Fits a spec to a column of w px, then embeds it; redraws when the column's width changes. */
const PAGE_SCRIPT = `(function () {
  "use strict";
  // Titles and subtitles do not wrap in Vega: break them into lines that fit (about 6.5 px a character).
  function wrap(text, chars) {
    var out = [];
    (Array.isArray(text) ? text : [text]).forEach(function (line) {
      var cur = "";
      String(line).split(" ").forEach(function (word) {
        if (cur && (cur + " " + word).length > chars) { out.push(cur); cur = word; } else cur = cur ? cur + " " + word : word;
      });
      if (cur) out.push(cur);
    });
    return out;
  }
  function fit(spec, w) {
    var chars = Math.max(24, Math.floor(w / 6.8));
    if (typeof spec.title === "string") spec.title = { text: spec.title };
    if (spec.title) {
      spec.title.text = wrap(spec.title.text, Math.floor(chars * 0.85));
      if (spec.title.subtitle) spec.title.subtitle = wrap(spec.title.subtitle, chars);
    }
    spec.config = spec.config || {};
    spec.config.legend = Object.assign({}, spec.config.legend, { columns: Math.max(1, Math.floor(w / 118)) });
    var m = spec.usermeta && spec.usermeta.augsal && spec.usermeta.augsal.fit;
    if (!m || m.kind === "single") {
      spec.width = "container";
      spec.autosize = { type: "fit-x", contains: "padding" };
      return spec;
    }
    var extra = m.extra || 60, min = m.minCell || 200, cells = m.cells || 1;
    var cols = Math.max(1, Math.min(cells, Math.floor(w / (min + extra))));
    var cw = Math.max(70, Math.floor(w / cols) - extra);
    spec.columns = cols;
    if (spec.spec) spec.spec.width = cw;
    if (spec.concat) spec.concat.forEach(function (p) {
      p.width = cw;
      if (typeof p.title === "string") p.title = { text: wrap(p.title, Math.max(16, Math.floor((cw + extra) / 7.2))) };
    });
    return spec;
  }
  function draw(el) {
    var w = el.clientWidth;
    if (!w || (el._w && Math.abs(el._w - w) < 24)) return;
    el._w = w;
    var spec = fit(JSON.parse(el.querySelector("script[type='application/json']").textContent), w);
    if (el._view) el._view.finalize();
    vegaEmbed(el.querySelector(".vview"), spec, {
      renderer: "svg",
      actions: { export: true, source: true, compiled: false, editor: false },
      downloadFileName: el.getAttribute("data-chart")
    }).then(function (r) {
      el._view = r.view;
      el.setAttribute("data-rendered", "true");
    }).catch(function (e) {
      el.setAttribute("data-error", String(e && e.message || e));
      console.error("chart " + el.getAttribute("data-chart") + ": " + e);
    });
  }
  var charts = Array.prototype.slice.call(document.querySelectorAll(".vchart"));
  charts.forEach(draw);
  if (typeof ResizeObserver === "function") {
    var t = null;
    var ro = new ResizeObserver(function () {
      clearTimeout(t);
      t = setTimeout(function () { charts.forEach(draw); }, 150);
    });
    charts.forEach(function (el) { ro.observe(el); });
  }
})();`;

const RUNTIME_CSS =
  `.vchart{width:100%;min-width:0}.vchart .vview{width:100%}.vchart .vview svg{max-width:100%;height:auto}.vchart .vega-embed{width:100%;display:block}` +
  `.vchart .vega-bindings{font:.84rem system-ui,sans-serif;margin:.3rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1rem}` +
  `.vchart .vega-bind input[type=range]{vertical-align:middle;max-width:12rem}` +
  `@media print{.vchart .vega-actions,.vchart details,.vchart .vega-bindings{display:none}}`;

/** The style and scripts that draw every .vchart on the page: place once, at the end of the body. */
export function vegaRuntimeHtml(): string {
  return `<style>${RUNTIME_CSS}</style>${runtimeScripts()}<script>${PAGE_SCRIPT}</script>`;
}
