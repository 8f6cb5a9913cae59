// src/stats: tests, intervals and corrections over tidy rows. Portable (no Node API) and free of the
// rest of augsal except the Rng interface (src/core/rng.ts), so resamples come from the seeded
// generator and the numbers are the same every run.
export * from "./basic.js";
export * from "./dist.js";
export * from "./paired.js";
export * from "./multi.js";
export * from "./power.js";
export type { Rng } from "../core/rng.js";
export * from "./study.js";
export * from "./tidy.js";
export * from "./summary.js";
