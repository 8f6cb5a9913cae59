// Timing helpers for the benchmarks: run a function until a time budget is spent, report the best
// per-call time of several rounds (the least disturbed by other load on the machine).
export interface Timing {
  /** Best seconds per call over the rounds. */
  best: number;
  /** Median seconds per call over the rounds. */
  median: number;
  calls: number;
}

export function timeIt(fn: () => void, opts: { rounds?: number; minSeconds?: number } = {}): Timing {
  const rounds = opts.rounds ?? 5;
  const minSeconds = opts.minSeconds ?? 0.2;
  fn(); // warm-up: compile tiers, touch memory
  // Calibrate: calls per round so that a round takes about minSeconds.
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = (performance.now() - t0) / 1000;
    if (dt >= minSeconds / 4 || calls >= 1 << 20) {
      calls = Math.max(1, Math.ceil((calls * minSeconds) / Math.max(dt, 1e-9)));
      break;
    }
    calls *= 4;
  }
  const per: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    per.push((performance.now() - t0) / 1000 / calls);
  }
  per.sort((a, b) => a - b);
  return { best: per[0], median: per[Math.floor(per.length / 2)], calls };
}
