// What augsal reads back from a run folder: hand-edited or damaged JSON is an error naming the file
// and the field (never "Cannot read properties of undefined").
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  RunFileError,
  checkQueries,
  checkSplit,
  configFileSchema,
  fieldName,
  historySchema,
  parseJsonFile,
  parseTimingsFile,
  queriesSchema,
  resultsSchema,
} from "../../src/node/schemas.js";
import { DEFAULT_CONFIG } from "../../src/study/config.js";

const sc = suite("node/schemas");

const expectFail = (fn: () => unknown, ...res: RegExp[]) => {
  try {
    fn();
    assert.unreachable("accepted");
  } catch (e) {
    assert.instance(e, RunFileError);
    for (const re of res) assert.match((e as Error).message, re);
  }
};

sc("fieldName writes zod's path the way a reader finds it", () => {
  assert.is(fieldName(["table1", 2, "test"]), "table1[2].test");
  assert.is(fieldName([3, "label"]), "[3].label");
  assert.is(fieldName([]), "(the whole file)");
});

sc("config.json: the real shape passes; null, {}, wrong types and a missing field name the field", () => {
  const good = { augsal: "0.1.0", createdAt: "x", config: DEFAULT_CONFIG };
  assert.is(parseJsonFile(configFileSchema, "/r/config.json", JSON.stringify(good)).config.epochs, 30);
  expectFail(
    () => parseJsonFile(configFileSchema, "/r/config.json", "null"),
    /^\/r\/config\.json: field \(the whole file\)/,
    /got null/,
  );
  expectFail(() => parseJsonFile(configFileSchema, "/r/config.json", "{}"), /field augsal: required \(missing\)/);
  expectFail(
    () =>
      parseJsonFile(
        configFileSchema,
        "/r/config.json",
        JSON.stringify({ ...good, config: { ...DEFAULT_CONFIG, epochs: "30" } }),
      ),
    /field config\.epochs: expected number, received string \(got the string "30"\)/,
  );
  expectFail(
    () =>
      parseJsonFile(
        configFileSchema,
        "/r/config.json",
        JSON.stringify({ ...good, config: { ...DEFAULT_CONFIG, target: "nope" } }),
      ),
    /config\.target/,
  );
  expectFail(() => parseJsonFile(configFileSchema, "/r/config.json", '{"augsal": '), /not valid JSON/);
  expectFail(
    () => parseJsonFile(configFileSchema, "/r/config.json", "", "run X to repair it"),
    /the file is empty; run X to repair it/,
  );
});

sc("results.json and history: a damaged row names its index and field; NaN written as null passes", () => {
  const row = {
    set: "orig",
    cc: 1,
    ccSd: null,
    kl: 0,
    klSd: null,
    entropySpatial: 1,
    entropySpatialSd: null,
    entropyHist: 1,
    entropyHistSd: null,
    sim: 1,
    simSd: null,
    spearman: 1,
    spearmanSd: null,
  };
  const t1 = { set: "orig", bestVal: 0.5, bestEpoch: 1, test: 0.5 };
  const good = {
    config: DEFAULT_CONFIG,
    table1: [t1, t1],
    metrics: [row],
    noiseFloor: null,
    runs: [{ seed: 0, table1: [t1], metrics: [row] }],
    metricsSummary: [row],
    table1Summary: [{ set: "orig", bestValMean: 0.5, bestValSd: null, testMean: 0.5, testSd: null }],
    queries: [{ index: 3, label: 1 }],
  };
  parseJsonFile(resultsSchema, "results.json", JSON.stringify(good));
  expectFail(
    () =>
      parseJsonFile(resultsSchema, "results.json", JSON.stringify({ ...good, table1: [t1, { ...t1, test: "high" }] })),
    /field table1\[1\]\.test/,
  );
  expectFail(
    () => parseJsonFile(resultsSchema, "results.json", JSON.stringify({ ...good, metrics: [] })),
    /field metrics/,
  );
  expectFail(
    () =>
      parseJsonFile(
        historySchema,
        "h.json",
        JSON.stringify({ epochLoss: [1], valAcc: [0.5], valLoss: [1], bestEpoch: 0, bestVal: 0.5, test: 0.5 }),
      ),
    /field bestEpoch/,
  );
});

sc("timings.json: the versioned form passes; the unversioned one becomes it; a newer version says so", () => {
  const current = {
    format: "augsal-timings",
    version: 1,
    stages: { data: 0.2, train: 78.5, "maps+trust": 9.1, "maps:vanilla": 0.3, metrics: 0.4, report: 1.3 },
    jobs: { "orig-seed0": 7.6, "blur-seed0": 35.8 },
    total: 90.1,
    workers: 2,
  };
  assert.equal(parseTimingsFile("/r/timings.json", JSON.stringify(current)), current);
  // augsal 0.1's file (the reference run's, as written): stages at the top level, an older stage name
  const old = {
    data: 0.18,
    train: 78.453,
    "saliency+metrics": 0.403,
    report: 1.276,
    jobs: { "crop-seed0": 21.399, "orig-seed0": 7.642 },
    total: 80.319,
    workers: 2,
  };
  assert.equal(parseTimingsFile("/r/timings.json", JSON.stringify(old)), {
    format: "augsal-timings",
    version: 1,
    stages: { data: 0.18, train: 78.453, "saliency+metrics": 0.403, report: 1.276 },
    jobs: old.jobs,
    total: 80.319,
    workers: 2,
  });
  expectFail(
    () => parseTimingsFile("/r/timings.json", JSON.stringify({ ...current, version: 2 })),
    /^\/r\/timings\.json: timings\.json version 2 is newer than this augsal reads \(1\); upgrade augsal$/,
  );
  expectFail(
    () => parseTimingsFile("/r/timings.json", JSON.stringify({ ...current, stages: { train: "fast" } })),
    /field stages\.train: .*\(got the string "fast"\)/,
  );
  expectFail(() => parseTimingsFile("/r/timings.json", JSON.stringify({ ...old, train: -1 })), /field train: /);
  expectFail(() => parseTimingsFile("/r/timings.json", JSON.stringify({ ...old, total: undefined })), /field total: /);
  for (const text of ["[]", "null"])
    expectFail(() => parseTimingsFile("/r/timings.json", text), /field \(the whole file\)/);
});

sc("queries and split: indices out of range, labels that do not match, duplicates", () => {
  const labels = Uint8Array.from([0, 1, 2, 1]);
  const q = parseJsonFile(queriesSchema, "queries.json", '[{"index": 1, "label": 1}, {"index": 2, "label": 2}]');
  checkQueries("queries.json", q, labels);
  expectFail(
    () => checkQueries("queries.json", [{ index: 9, label: 1 }], labels),
    /field \[0\]\.index: 9 is beyond the test set \(4 images\)/,
  );
  expectFail(
    () => checkQueries("queries.json", [{ index: 1, label: 2 }], labels),
    /field \[0\]\.label: 2, but test image 1 is labelled 1/,
  );
  expectFail(
    () =>
      checkQueries(
        "queries.json",
        [
          { index: 1, label: 1 },
          { index: 1, label: 1 },
        ],
        labels,
      ),
    /listed twice/,
  );
  expectFail(() => checkQueries("queries.json", [], labels), /holds no query/);
  expectFail(() => parseJsonFile(queriesSchema, "queries.json", '[{"index": -1, "label": 1}]'), /field \[0\]\.index/);
  checkSplit("split.json", { train: [0, 1], val: [2] }, 3);
  expectFail(
    () => checkSplit("split.json", { train: [0, 5], val: [2] }, 3),
    /field train\[1\]: 5 is beyond the training set/,
  );
  expectFail(
    () => checkSplit("split.json", { train: [0, 1], val: [1] }, 3),
    /field val\[0\]: training image 1 is listed twice/,
  );
});

sc.run();
