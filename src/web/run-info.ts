// What the page loads first (/api/run.json): a run described in plain values. The server
// (src/cli/serve.ts) fills it from the run folder; the page (./app.ts) reads it. It lives here, on the
// portable side, so the page never imports the Node server.

/** The parts of a study's configuration (src/study/config.ts's StudyConfig) the page shows or uses. */
export interface RunConfigView {
  data: string;
  arch: string;
  seed: number;
  epochs: number;
  aug: readonly string[];
  optimizer: { kind: string };
  target: "label" | "predicted";
  score: "logit" | "softmax";
  /** The run's attribution methods (the page offers those it can run live). */
  methods?: readonly string[];
}

export interface RunInfo {
  augsal: string;
  run: string;
  config: RunConfigView;
  wasmSha256: string;
  /** The wasm core's hash recorded by the run (it trained with this core), if any. */
  runWasmSha256: string | null;
  models: { set: string; id: string; url: string | null }[];
  queries: { index: number; label: number }[];
  hasReport: boolean;
}
