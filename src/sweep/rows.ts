// The rows of the merged tables (merged/*.csv and *.json), shared by the merge (src/sweep/merge.ts)
// and the page (src/sweep/page.ts) without an import cycle between them.

export interface PointRow {
  dataset: string;
  aug: string;
  strength: number;
  seed: number;
  method: string;
  metric: string;
  value: number;
}

export interface ControlRow {
  dataset: string;
  seed: number;
  model: string;
  method: string;
  metric: string;
  value: number;
}

export interface DoseRow {
  dataset: string;
  aug: string;
  strength: number;
  method: string;
  metric: string;
  n: number;
  mean: number;
  sd: number;
  lo: number;
  hi: number;
  origMean: number | null;
  floor: string | null;
  floorMean: number | null;
  floorLo: number | null;
  floorHi: number | null;
}

export interface MonoRow {
  dataset: string;
  aug: string;
  method: string;
  metric: string;
  n: number;
  rho: number;
  p: number;
  /** The curve of means over strength: "decreasing", "increasing" (strictly, every step) or "neither". */
  means: string;
}

export interface CorrRow {
  dataset: string;
  method: string;
  metric: string;
  n: number;
  rho: number;
  p: number;
  lo: number;
  hi: number;
}

export interface AgreeRow {
  dataset: string;
  metric: string;
  methodA: string;
  methodB: string;
  n: number;
  rho: number;
  p: number;
}
