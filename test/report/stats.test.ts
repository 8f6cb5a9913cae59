import { suite } from "uvu";
import * as assert from "uvu/assert";
import { renderReportHtml } from "../../src/report/html.js";
import { compileChart, pairedChart } from "../../src/report/charts/index.js";
import { smallInput } from "./fixture.js";
import { checkWellFormed } from "./xml.js";
import { chartStats } from "./charts-fixture.js";

/** The fixture's stats with Orig's validation accuracy near chance (the report warns) and one test accuracy. */
const stats = (queries = 12) => chartStats(queries, (set) => ({ bestVal: set === "orig" ? 0.15 : 0.8, test: 0.8 }));

const s = suite("report/stats");

s("with a stats section the glance box and Table 3 come from the tests, not the one-sd rule", () => {
  const html = renderReportHtml(smallInput({ stats: stats() }));
  checkWellFormed(
    html
      .replace(/^<!DOCTYPE html>\n/, "")
      .replace(/<meta[^>]*>/g, "")
      .replace(/<style>[\s\S]*?<\/style>/, ""),
  );
  const glance = html.slice(html.indexOf('<div class="glance">'), html.indexOf("</header>"));
  assert.match(glance, /CC against the reorder floor<\/strong>, mean paired difference \[95% t-interval\]/);
  // 12 queries all one way: raw p = 2/2^12; Holm over 6 tests (2 sets x 3 metrics): 0.0029
  assert.match(
    glance,
    /RandCrop \u22120\.30\d \[\u22120\.3\d\d, \u22120\.2\d\d\], Holm p 0\.0029 \(further than floor\)/,
    glance,
  );
  assert.match(glance, /Near chance\./);
  assert.not.match(html, /The rule\./); // the one-sd screen is not shown when tests exist
  assert.match(
    html,
    /Table 3\.<\/b> Mean paired difference \(set \u2212 reorder floor\) over 12 query images of one run/,
  );
  assert.match(html, /similarity\.m: each map is min-max normalised to \[0, 1\], then divided by its sum/);
  assert.match(html, /The poster's claims, tested/);
  // (outside the inlined chart libraries, whose code spells both words)
  assert.not.match(html.replace(/<script>[\s\S]*?<\/script>/g, ""), /NaN|undefined/);
});

s("paired dot plot (Vega-Lite): two rows per unit, floor and set, for every set and method; compiles cleanly", () => {
  const st = stats();
  const spec = pairedChart(st, "cc")!;
  const { warnings } = compileChart(spec);
  assert.equal(warnings, []);
  const rows = (spec.data as { values: { group: string; model: string; side: string }[] }).values;
  const tests = st.maps.filter((t) => t.metric === "cc" && t.n > 0);
  assert.is(
    rows.length,
    tests.reduce((a, t) => a + 2 * t.n, 0),
  );
  assert.is(rows.filter((r) => r.group === "vanilla" && r.model === "RandCrop" && r.side === "model").length, 12);
  assert.match(JSON.stringify(spec.title), /each line one query image, reorder floor \(left\) vs the model \(right\)/);
  assert.is(pairedChart(st, "sim"), null);
});

s.run();
