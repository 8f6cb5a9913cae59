// augsal's library entry (Node): the study pipeline and everything below it. The runtime-neutral
// core (browser, Deno, Bun) is "augsal/core" and "augsal/portable"; docs/abi.md documents the wasm ABI.
export { loadCore, wasmBytes, wasmModule, wasmPath } from "./node/wasm.js";
export { instantiateCore, instantiateCoreSync, type Core } from "./core/load.js";
export type { CoreExports } from "./core/abi.js";
export { Stream } from "./core/streams.js";
export { Model } from "./nn/model.js";
export { PRESETS, parseSpec, type ModelSpec, type LayerSpec } from "./nn/spec.js";
export { Optimizer, ADAM_DEFAULTS, SGD_DEFAULTS, type OptimizerConfig } from "./nn/optim.js";
export { trainModel, evaluate, type History, type LabelledSet, type TrainConfig } from "./nn/train.js";
export { encodeCheckpoint, decodeCheckpoint } from "./nn/checkpoint.js";
export { attribute, type SaliencyOptions, type SaliencyResult } from "./explain/saliency.js";
export * as metrics from "./explain/metrics.js";
export { loadDataset, type Dataset } from "./node/datasets.js";
export { classBalancedSplit } from "./data/split.js";
export { AUGMENTATIONS, buildTrainingSet, toFloat, type AugName, type SetName } from "./data/augment.js";
export { DEFAULT_CONFIG, validateConfig, type StudyConfig } from "./study/config.js";
export { runStudy, type Results, type StudyOptions } from "./study/study.js";
export { VERSION } from "./version.js";
