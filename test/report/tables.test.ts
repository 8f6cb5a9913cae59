import { suite } from "uvu";
import * as assert from "uvu/assert";
import { metricsCsv, metricsMarkdown, table1Csv, table1Markdown } from "../../src/report/tables.js";
import { csvField, fixed, meanSd, mdTable, typographic } from "../../src/report/format.js";
import { smallInput } from "./fixture.js";

const t = suite("report/tables");

t("Table 1 in Markdown: set order, our 3 decimals beside the poster's 2", () => {
  assert.fixture(
    table1Markdown(smallInput().table1),
    [
      "| Model | Best val. acc. | Best epoch | Test acc. | Poster best val. | Poster test |",
      "| :--- | ---: | ---: | ---: | ---: | ---: |",
      "| Orig | 0.813 | 2 | 0.780 | 0.81 | 0.78 |",
      "| Scaling | 0.700 | 3 | 0.660 | 0.71 | 0.67 |",
      "| RandCrop | 0.880 | 3 | 0.867 | 0.88 | 0.87 |",
      "",
    ].join("\n"),
  );
});

t("Table 1 as CSV", () => {
  assert.fixture(
    table1Csv(smallInput().table1),
    [
      "set,label,best_val,best_epoch,test,poster_best_val,poster_test",
      "orig,Orig,0.8125,2,0.7800,0.81,0.78",
      "scaling,Scaling,0.7000,3,0.6600,0.71,0.67",
      "crop,RandCrop,0.8800,3,0.8666,0.88,0.87",
      "",
    ].join("\n"),
  );
});

t("metrics in Markdown: mean ± sd per model, then the noise-floor row", () => {
  const i = smallInput();
  assert.fixture(
    metricsMarkdown(i.metrics, i.noiseFloor),
    [
      "| Model | CC | KL | H spatial (nats) | H hist. (bits) | SIM | Spearman |",
      "| :--- | ---: | ---: | ---: | ---: | ---: | ---: |",
      "| Orig | 1.000 ± 0.000 | 0.000 ± 0.000 | 5.200 ± 0.000 | 3.900 ± 0.000 | 1.000 ± 0.000 | 1.000 ± 0.000 |",
      "| Scaling | 0.500 ± 0.050 | 0.600 ± 0.050 | 5.700 ± 0.050 | 4.100 ± 0.050 | 0.500 ± 0.050 | 0.500 ± 0.050 |",
      "| RandCrop | 0.780 ± 0.050 | 0.270 ± 0.050 | 5.210 ± 0.050 | 3.910 ± 0.050 | 0.780 ± 0.050 | 0.780 ± 0.050 |",
      "| Orig, seed 2 (noise floor) | 0.800 ± 0.050 | 0.250 ± 0.050 | 5.250 ± 0.050 | 3.920 ± 0.050 | 0.800 ± 0.050 | 0.800 ± 0.050 |",
      "",
    ].join("\n"),
  );
});

t("metrics as CSV: a column per mean and sd, the noise floor as set noise_floor", () => {
  const i = smallInput();
  i.metrics = i.metrics.slice(0, 2);
  assert.fixture(
    metricsCsv(i.metrics, i.noiseFloor),
    [
      "set,label,cc,cc_sd,kl,kl_sd,entropy_spatial,entropy_spatial_sd,entropy_hist,entropy_hist_sd,sim,sim_sd,spearman,spearman_sd",
      "orig,Orig,1.000000,0.000000,0.000000,0.000000,5.200000,0.000000,3.900000,0.000000,1.000000,0.000000,1.000000,0.000000",
      "scaling,Scaling,0.500000,0.050000,0.600000,0.050000,5.700000,0.050000,4.100000,0.050000,0.500000,0.050000,0.500000,0.050000",
      'noise_floor,"Orig, seed 2 (noise floor)",0.800000,0.050000,0.250000,0.050000,5.250000,0.050000,3.920000,0.050000,0.800000,0.050000,0.800000,0.050000',
      "",
    ].join("\n"),
  );
});

t("NaN: a dash in Markdown, an empty CSV field; never 'NaN'", () => {
  const i = smallInput();
  i.metrics[1].cc = NaN;
  i.metrics[1].klSd = NaN;
  i.table1[0].test = NaN;
  i.table1[0].bestEpoch = NaN;
  const md = metricsMarkdown(i.metrics, null);
  assert.ok(md.includes("| Scaling | \u2013 | 0.600 \u00b1 \u2013 |"), md);
  const csv = metricsCsv(i.metrics, null);
  assert.ok(csv.includes("scaling,Scaling,,0.050000,0.600000,,"), csv);
  const t1 = table1Markdown(i.table1);
  assert.ok(t1.includes("| Scaling | 0.700 | \u2013 | \u2013 |"), t1);
  assert.ok(table1Csv(i.table1).includes("scaling,Scaling,0.7000,,,0.71,0.67"));
  for (const s of [md, csv, t1, table1Csv(i.table1)]) assert.not.ok(/NaN|undefined/.test(s));
});

t("CSV quoting follows RFC 4180", () => {
  assert.is(csvField("plain"), "plain");
  assert.is(csvField('a,b"c'), '"a,b""c"');
  assert.is(csvField("two\nlines"), '"two\nlines"');
  assert.is(csvField(" padded"), '" padded"');
  assert.is(csvField(-0.0000001, 3), "0.000", "no negative zero");
  assert.is(csvField(Infinity), "");
  const rows = metricsCsv([{ ...smallInput().metrics[1], set: 'odd,"set"' }], null);
  assert.ok(rows.includes('"odd,""set""","odd,""set"""'), rows);
});

t("number formatting helpers", () => {
  assert.is(fixed(1 / 3, 3), "0.333");
  assert.is(fixed(-0.0001, 2), "0.00");
  assert.is(fixed(undefined, 2), "\u2013");
  assert.is(meanSd(0.5, 0.25, 2), "0.50 \u00b1 0.25");
  assert.is(meanSd(NaN, 0.25, 2), "\u2013");
  assert.is(typographic("-0.5 \u00b1 0.1 (-2)"), "\u22120.5 \u00b1 0.1 (\u22122)");
  assert.is(typographic("seed-2 1e-3"), "seed-2 1e-3", "hyphens inside words and exponents stay");
  assert.is(mdTable(["a|b"], [["x\ny"]], ["l"]), "| a\\|b |\n| :--- |\n| x y |\n");
});

t.run();
