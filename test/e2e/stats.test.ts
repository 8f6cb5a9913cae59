// The study design of issue 13 end to end: matched controls (Repeat, the reorder and retrain floors),
// the stats section of results.json, the tidy per-query tables, and their bytes across runs and
// worker counts. Spawns the CLI on a tiny IDX subset like cli-e2e.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { studyFlags, tinyData, TINY_STUDY } from "./idx-subset.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const e2e = suite("study design and stats end to end");

const tmp = mkdtempSync(join(tmpdir(), "augsal-stats-e2e-"));
const dataDir = join(tmp, "data");
tinyData(dataDir);
// vanilla only and no trust tables: the counts below are per method (test/e2e/cli.test.ts runs the others)
const TINY = studyFlags(dataDir, { ...TINY_STUDY, methods: "vanilla", "no-trust": true });
const MODELS = ["orig", "repeat", "crop", "blur", "reorder", "retrain"];
const METRICS = ["cc", "kl", "sim", "spearman", "entropySpatial", "entropyHist"];

function run(args: string[]) {
  return spawnSync(process.execPath, [cliPath, ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
}
const read = (dir: string, f: string) => readFileSync(join(dir, f), "utf8");

e2e("one run: floors and Repeat are trained, results.json holds the stats, the tidy tables have every row", () => {
  const out = join(tmp, "one");
  const r = run([...TINY, "--workers", "2", "--out", out]);
  assert.is(r.status, 0, r.stderr);
  for (const id of MODELS.map((m) => `${m}-seed0`))
    assert.ok(existsSync(join(out, "weights", `${id}.bin`)), `missing ${id}`);
  const res = JSON.parse(read(out, "results.json"));
  const st = res.stats;
  assert.is(st.design.init, "shared");
  assert.is(st.design.primaryFloor, "reorder");
  assert.is(st.design.unit, "query");
  assert.equal(st.design.sets, ["repeat", "crop", "blur"]);
  assert.is(st.maps.length, 3 * METRICS.length);
  for (const t of st.maps) {
    for (const k of ["meanDiff", "interval", "bootstrap", "p", "pHolm", "t", "wilcoxon", "inputs", "verdict"])
      assert.ok(k in t, k);
    assert.is(t.n, 10);
  }
  assert.is(st.accuracy.length, 3 * 2 - 1); // repeat vs orig; crop, blur vs orig and vs repeat
  assert.ok(st.claims.saliencyVsAccuracy.length >= 2 && st.claims.entropyVariation.length === 2);
  // tidy per-query metrics: runs x models x methods x queries x metrics rows (+ header)
  const csv = read(out, "per-query-metrics.csv").trimEnd().split("\n");
  assert.is(csv[0], "run,set,method,query,label,metric,value");
  assert.is(csv.length - 1, 1 * MODELS.length * 1 * 10 * METRICS.length);
  assert.is(JSON.parse(read(out, "per-query-metrics.json")).length, csv.length - 1);
  const pred = read(out, "per-query-predictions.csv").trimEnd().split("\n");
  assert.is(pred[0], "run,set,query,label,predicted,pTrue,pPredicted");
  assert.is(pred.length - 1, MODELS.length * 10);
  // config.json records resolved strengths and the architecture's layers
  const cfg = JSON.parse(read(out, "config.json"));
  assert.ok(Number.isFinite(cfg.resolved.strength.crop) && Number.isFinite(cfg.resolved.strength.blur));
  assert.ok(Array.isArray(cfg.resolved.layers) && cfg.resolved.layers.length > 0);
  assert.match(r.stdout, /against the 'reorder' floor/);
});

e2e("byte-identical across two runs and across 1 vs 2 workers", () => {
  const a = join(tmp, "one");
  const b = join(tmp, "one-w1");
  const r = run([...TINY, "--workers", "1", "--out", b]);
  assert.is(r.status, 0, r.stderr);
  for (const f of ["results.json", "per-query-metrics.csv", "per-query-metrics.json", "per-query-predictions.csv"]) {
    assert.is(read(b, f), read(a, f), f);
  }
  for (const m of MODELS) {
    assert.ok(
      readFileSync(join(a, "weights", `${m}-seed0.bin`)).equals(readFileSync(join(b, "weights", `${m}-seed0.bin`))),
    );
  }
});

e2e(
  "three runs: tests across runs on per-run means; adding Repeat and floors left Orig and augmented bytes alone",
  () => {
    const out = join(tmp, "three");
    const r = run([...TINY, "--runs", "3", "--workers", "2", "--out", out]);
    assert.is(r.status, 0, r.stderr);
    const st = JSON.parse(read(out, "results.json")).stats;
    assert.is(st.design.unit, "run");
    assert.equal(st.maps[0].inputs.units, [0, 1, 2]);
    assert.match(st.maps[0].verdict, /cannot tell at n = 3 runs/);
    assert.is(
      read(out, "per-query-metrics.csv").trimEnd().split("\n").length - 1,
      3 * MODELS.length * 10 * METRICS.length,
    );
    // run 0 of a three-run study is the one-run study's run 0, model for model
    for (const m of MODELS) {
      assert.ok(
        readFileSync(join(out, "weights", `${m}-seed0.bin`)).equals(
          readFileSync(join(tmp, "one", "weights", `${m}-seed0.bin`)),
        ),
        m,
      );
    }
  },
);

e2e("--init independent: the retrain floor is primary; Orig keeps its weights, the augmented models do not", () => {
  const out = join(tmp, "indep");
  const r = run([...TINY, "--init", "independent", "--workers", "2", "--out", out]);
  assert.is(r.status, 0, r.stderr);
  const st = JSON.parse(read(out, "results.json")).stats;
  assert.is(st.design.init, "independent");
  assert.is(st.design.primaryFloor, "retrain");
  const w = (dir: string, m: string) => readFileSync(join(dir, "weights", `${m}-seed0.bin`));
  assert.ok(w(out, "orig").equals(w(join(tmp, "one"), "orig")));
  assert.ok(!w(out, "crop").equals(w(join(tmp, "one"), "crop")));
  const bad = run([...TINY, "--init", "mixed", "--out", join(tmp, "bad")]);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--init must be 'shared' or 'independent'/);
});

e2e.after(() => rmSync(tmp, { recursive: true, force: true }));
e2e.run();
