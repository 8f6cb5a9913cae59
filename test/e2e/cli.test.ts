// The CLI end to end, spawned as a user would run it, on a tiny configuration over a tiny IDX data set
// (the first MNIST images, written by the test) so that each run takes a few seconds.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { studyFlags, tinyData, TINY_STUDY } from "./idx-subset.js";
import { parseTimingsFile } from "../../src/node/schemas.js";

const root = fileURLToPath(new URL("../../../../", import.meta.url));
const cliPath = join(root, "dist", "cli.js");
const e2e = suite("cli end to end");

const tmp = mkdtempSync(join(tmpdir(), "augsal-e2e-"));
const dataDir = join(tmp, "data");
tinyData(dataDir);
// The trust tables (sanity checks etc.) cost more than the rest of a tiny run: one test below has them.
const TINY = studyFlags(dataDir, { ...TINY_STUDY, "no-trust": true });

function run(args: string[]) {
  return spawnSync(process.execPath, [cliPath, ...args], {
    encoding: "utf8",
    env: { ...process.env, FORCE_COLOR: "0" },
  });
}

e2e("a tiny study writes every promised file and a results.json of the documented shape", () => {
  const out = join(tmp, "a");
  const r = run([...TINY, "--workers", "2", "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /Table 1/);
  assert.match(r.stdout, /report\.html/);
  for (const f of [
    "config.json",
    "split.json",
    "queries.json",
    "table1.md",
    "table1.csv",
    "table1.json",
    "metrics.csv",
    "metrics.json",
    "report.html",
    "results.json",
    "timings.json",
    "figures/figure1.svg",
    "figures/figure1.png",
    "figures/figure2.svg",
    "figures/figure3.svg",
    "figures/figure4-shared.svg",
    "figures/figure4-shared.png",
    "figures/figure4-permap.svg",
    "figures/figure4-permap.png",
    "figures/figure5.svg",
    "saliency/queries.npy",
  ]) {
    assert.ok(existsSync(join(out, f)), `missing ${f}`);
  }
  const ids = ["orig-seed0", "repeat-seed0", "crop-seed0", "blur-seed0", "reorder-seed0", "retrain-seed0"];
  for (const id of ids) {
    for (const f of [`weights/${id}.bin`, `history/${id}.json`, `saliency/${id}.npy`, `saliency/${id}.signed.npy`])
      assert.ok(existsSync(join(out, f)), `missing ${f}`);
  }
  const res = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  assert.equal(
    Object.keys(res.config).sort(),
    Object.keys(JSON.parse(readFileSync(join(out, "config.json"), "utf8")).config).sort(),
  );
  assert.equal(
    res.table1.map((t: { set: string }) => t.set),
    ["orig", "repeat", "crop", "blur"],
  );
  for (const t of res.table1) {
    assert.equal(Object.keys(t).sort(), ["bestEpoch", "bestVal", "set", "test"]);
    assert.ok(t.test >= 0 && t.test <= 1 && t.bestEpoch >= 1 && t.bestEpoch <= 2);
  }
  for (const m of res.metrics) {
    for (const k of ["set", "cc", "ccSd", "kl", "klSd", "entropySpatial", "entropyHist", "sim", "spearman"])
      assert.ok(k in m, `metrics.${k}`);
  }
  assert.is(res.metrics[0].set, "orig");
  assert.ok(Math.abs(res.metrics[0].cc - 1) < 1e-12, "the baseline against itself has CC 1");
  assert.ok(res.noiseFloor && Number.isFinite(res.noiseFloor.cc));
  // no temp files left anywhere
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [e.name]));
  assert.ok(!walk(out).some((f) => f.endsWith(".tmp")));
});

e2e(
  "with the trust tables: every method's maps, the permuted-label model, the explain section, the same bytes at 1 and 2 workers",
  () => {
    const args = TINY.filter((x) => x !== "--no-trust");
    const t1 = join(tmp, "trust1");
    const t2 = join(tmp, "trust2");
    const r1 = run([...args, "--workers", "2", "--out", t1]);
    assert.is(r1.status, 0, r1.stderr);
    const r2 = run([...args, "--workers", "1", "--out", t2]);
    assert.is(r2.status, 0, r2.stderr);
    assert.is(readFileSync(join(t1, "results.json"), "utf8"), readFileSync(join(t2, "results.json"), "utf8"));
    for (const f of readdirSync(join(t1, "weights")))
      assert.ok(readFileSync(join(t1, "weights", f)).equals(readFileSync(join(t2, "weights", f))), f);
    // the models of the run without trust tables are the same bytes; the permuted-label model is new
    for (const id of ["orig-seed0", "repeat-seed0", "crop-seed0", "blur-seed0", "reorder-seed0", "retrain-seed0"]) {
      assert.ok(
        readFileSync(join(t1, "weights", `${id}.bin`)).equals(readFileSync(join(tmp, "a", "weights", `${id}.bin`))),
        id,
      );
      assert.ok(
        readFileSync(join(t1, "saliency", `${id}.npy`)).equals(readFileSync(join(tmp, "a", "saliency", `${id}.npy`))),
        id,
      );
    }
    assert.ok(existsSync(join(t1, "weights", "orig-permuted-seed0.bin")));
    const res = JSON.parse(readFileSync(join(t1, "results.json"), "utf8"));
    const methods = ["vanilla", "inputxgrad", "smoothgrad", "smoothgrad2", "vargrad", "ig", "gradcam"];
    assert.equal(res.config.methods, methods);
    assert.equal(res.explain.methods, methods);
    for (const m of methods.filter((x) => x !== "vanilla")) {
      for (const id of ["orig-seed0", "repeat-seed0", "crop-seed0", "blur-seed0", "reorder-seed0", "retrain-seed0"]) {
        assert.ok(existsSync(join(t1, "saliency", `${id}.${m}.signed.npy`)), `${id}.${m}`);
      }
    }
    const t = res.explain.trust;
    assert.is(t.verdicts.length, methods.length * 3);
    assert.equal([...new Set(t.sanity.map((x: { test: string }) => x.test))], ["cascading", "independent", "data"]);
    assert.is(t.localisation.length, methods.length * 3);
    assert.is(t.faithfulness.length, (methods.length + 1) * 3);
    assert.is(t.equivariance.length, methods.length * 3 * 5);
    assert.is(t.igGap.length, 3);
    const html = readFileSync(join(t1, "report.html"), "utf8");
    for (const table of ["Table S.", "Table L.", "Table D.", "Table E."]) assert.ok(html.includes(table), table);
    const timingsText = readFileSync(join(t1, "timings.json"), "utf8");
    const raw = JSON.parse(timingsText);
    assert.equal([raw.format, raw.version], ["augsal-timings", 1]);
    const timings = parseTimingsFile(join(t1, "timings.json"), timingsText);
    for (const k of ["data", "train", "maps:vanilla", "maps:smoothgrad", "maps:ig", "maps+trust", "metrics", "report"])
      assert.ok(timings.stages[k] >= 0, k);
    assert.ok(Object.keys(timings.jobs).length > 0 && timings.total > 0 && timings.workers >= 1);
  },
);

e2e("--methods names the methods (vanilla always runs); an unknown one is a usage error", () => {
  const out = join(tmp, "methods-ig");
  const r = run([...TINY, "--methods", "ig", "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(out, "results.json"), "utf8")).explain.methods, ["vanilla", "ig"]);
  assert.ok(existsSync(join(out, "saliency", "crop-seed0.ig.npy")));
  assert.not.ok(existsSync(join(out, "saliency", "crop-seed0.smoothgrad.npy")));
  const bad = run([...TINY, "--methods", "lime", "--out", join(tmp, "never")]);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /--methods: unknown method 'lime'/);
  assert.not.ok(existsSync(join(tmp, "never")));
});

e2e("--workers 1 and 2 give identical results.json and weights", () => {
  const a = join(tmp, "a");
  const b = join(tmp, "b");
  const r = run([...TINY, "--workers", "1", "--out", b]);
  assert.is(r.status, 0, r.stderr);
  assert.is(readFileSync(join(b, "results.json"), "utf8"), readFileSync(join(a, "results.json"), "utf8"));
  for (const f of readdirSync(join(a, "weights")))
    assert.ok(readFileSync(join(a, "weights", f)).equals(readFileSync(join(b, "weights", f))), f);
});

e2e("a set's model does not depend on which other sets run (streams are named, not ordered)", () => {
  const a = join(tmp, "a");
  const c = join(tmp, "blur-only");
  const r = run([...TINY.map((x) => (x === "crop,blur" ? "blur" : x)), "--workers", "1", "--out", c]);
  assert.is(r.status, 0, r.stderr);
  for (const id of ["orig-seed0", "repeat-seed0", "blur-seed0", "reorder-seed0", "retrain-seed0"]) {
    assert.ok(readFileSync(join(a, "weights", `${id}.bin`)).equals(readFileSync(join(c, "weights", `${id}.bin`))), id);
    assert.ok(
      readFileSync(join(a, "saliency", `${id}.npy`)).equals(readFileSync(join(c, "saliency", `${id}.npy`))),
      id,
    );
  }
});

e2e("--strength changes the augmented model and nothing else", () => {
  const a = join(tmp, "a");
  const s = join(tmp, "strong-blur");
  const r = run([...TINY, "--strength", "blur=4", "--workers", "1", "--out", s]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(
    readFileSync(join(a, "weights", "crop-seed0.bin")).equals(readFileSync(join(s, "weights", "crop-seed0.bin"))),
    "crop unchanged",
  );
  assert.ok(
    readFileSync(join(a, "weights", "orig-seed0.bin")).equals(readFileSync(join(s, "weights", "orig-seed0.bin"))),
    "orig unchanged",
  );
  assert.not.ok(
    readFileSync(join(a, "weights", "blur-seed0.bin")).equals(readFileSync(join(s, "weights", "blur-seed0.bin"))),
    "blur changed",
  );
  // config.json and results.json record the strength of every studied augmentation, defaults written out.
  assert.equal(JSON.parse(readFileSync(join(s, "results.json"), "utf8")).config.strength, { crop: 4, blur: 4 });
});

e2e("running again into the same folder resumes without retraining and changes nothing", () => {
  const a = join(tmp, "a");
  const before = readFileSync(join(a, "results.json"));
  const r = run([...TINY, "--out", a]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /6 of 6 models already trained/);
  assert.ok(readFileSync(join(a, "results.json")).equals(before));
});

e2e("a run killed after its first finished model and started again ends byte-identical", async () => {
  const out = join(tmp, "killed");
  const child = spawn(process.execPath, [cliPath, ...TINY, "--workers", "1", "--out", out], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
      if (/trained \S+/.test(err)) {
        child.kill("SIGKILL");
      }
    });
    child.on("exit", () => resolve());
    child.on("error", reject);
  });
  assert.not.ok(existsSync(join(out, "results.json")), "the run was killed before the end");
  const trained = readdirSync(join(out, "weights")).length;
  assert.ok(trained >= 1 && trained < 6, `${trained} models finished before the kill`);
  const r = run([...TINY, "--workers", "1", "--out", out]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`${trained} of 6 models already trained`));
  assert.is(readFileSync(join(out, "results.json"), "utf8"), readFileSync(join(tmp, "a", "results.json"), "utf8"));
});

e2e("report over a finished run rewrites nothing it does not change: results.json keeps its bytes", () => {
  const a = join(tmp, "a");
  const before = readFileSync(join(a, "results.json"));
  const r = run(["report", "--out", a]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(readFileSync(join(a, "results.json")).equals(before));
});

e2e("a different configuration in the same folder is an error suggesting --out or --force", () => {
  const a = join(tmp, "a");
  const r = run([...TINY.map((x) => (x === "2" ? "3" : x)), "--out", a]);
  assert.is(r.status, 2);
  assert.match(
    r.stderr,
    /holds a run of another configuration \(copies: 2 there, 3 now; epochs: 2 there, 3 now; steps: 2 there, 3 now\)\. Use --out DIR/,
  );
  assert.match(r.stderr, /--force to replace it \(removes only the files augsal wrote there\)/);
});

const badCases: [string[], RegExp][] = [
  [["--epochs", "-1"], /--epochs must be an integer from 1/],
  [["--lr", "fast"], /--lr must be a number, got 'fast'/],
  [["--aug", "crop,warp"], /--aug: unknown augmentation 'warp'/],
  [["--bogus"], /Unknown option '--bogus'/],
  [["--data", "idx:/nonexistent/augsal"], /--data idx:\/nonexistent\/augsal/],
];
for (const [args, re] of badCases) {
  e2e(`bad input ${args.join(" ")} exits 2 naming it and creates nothing`, () => {
    const out = join(tmp, `bad-${args[0].replace(/-/g, "")}`);
    const r = run([...args, "--out", out]);
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
    assert.not.ok(existsSync(out), "the output folder was created");
  });
}

e2e("augment writes Figure 1 on its own", () => {
  const out = join(tmp, "fig1");
  const r = run([
    "augment",
    "--data",
    `idx:${dataDir}`,
    "--train-per-class",
    "4",
    "--val-per-class",
    "5",
    "--aug",
    "crop,blur",
    "--out",
    out,
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(readdirSync(out), ["figures", "manifest.json"]);
  assert.equal(readdirSync(join(out, "figures")), ["figure1.png", "figure1.svg"]);
  // One column per configured augmentation, after the original; labels are SVG text.
  const svg = readFileSync(join(out, "figures", "figure1.svg"), "utf8");
  assert.equal(
    [...svg.matchAll(/<text [^>]*text-anchor="middle"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]),
    ["Orig", "RandCrop", "Blur"],
  );
  const png = readFileSync(join(out, "figures", "figure1.png"));
  assert.equal(Array.from(png.subarray(1, 4)), [0x50, 0x4e, 0x47]);
});

e2e(
  "bench --json --quick prints one JSON object with the promised keys (values not judged: speed lives in bench/)",
  () => {
    const r = run(["bench", "--json", "--quick"]);
    assert.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    // Augmentation throughput, one key per augmentation (the promised keys, listed as the user sees them).
    const augment = ["scaling", "crop", "erasing", "distortion", "blur"].map((a) => `augment_${a}_img_s`);
    // Maps per second of each attribution method at batch 100, and its cost in vanilla gradient maps.
    const methods = ["vanilla", "inputxgrad", "smoothgrad", "ig", "gradcam", "occlusion"].flatMap((m) => [
      `method_${m}_b100_maps_s`,
      `method_${m}_cost`,
    ]);
    for (const k of [
      "peak_gflops",
      "train_b110_img_s",
      "infer_b1000_img_s",
      "saliency_b100_maps_s",
      "conv2_fwd_gflops",
      "conv2_bwd_gflops",
      ...augment,
      ...methods,
      "threads",
    ]) {
      assert.ok(Number.isFinite(j[k]) && j[k] > 0, `${k} = ${j[k]}`);
    }
    assert.is(j.threads, 1);
  },
);

e2e("a damaged weights file is an error naming it and how to recover, and the advice works", () => {
  const out = join(tmp, "damaged");
  cpSync(join(tmp, "a"), out, { recursive: true });
  const w = join(out, "weights", "blur-seed0.bin");
  writeFileSync(w, readFileSync(join(tmp, "a", "weights", "blur-seed0.bin")).subarray(0, 100));
  const r = run(["saliency", "--out", out]);
  assert.is(r.status, 2, r.stderr);
  const advice = `remove it and run 'node dist/cli.js study --out ${out}' to retrain blur-seed0`;
  assert.ok(r.stderr.includes(`${w}: is damaged (100 bytes, the manifest records`), r.stderr);
  assert.ok(r.stderr.includes(advice), r.stderr);
  rmSync(w);
  const again = run(["study", "--out", out]);
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stderr, /\d+ of \d+ models already trained; 1 to go/);
  assert.ok(
    readFileSync(w).equals(readFileSync(join(tmp, "a", "weights", "blur-seed0.bin"))),
    "retrained to the same bytes",
  );
  assert.ok(readFileSync(join(out, "results.json")).equals(readFileSync(join(tmp, "a", "results.json"))));
});

e2e("--help prints the flags and exits 0", () => {
  const r = run(["--help"]);
  assert.is(r.status, 0);
  assert.match(r.stdout, /--train-per-class/);
});

e2e.after(() => rmSync(tmp, { recursive: true, force: true }));
e2e.run();
