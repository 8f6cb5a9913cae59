// A benchmark case and how it is timed, shared by `augsal bench` (src/bench/suite.ts) and
// `npm run bench` (bench/run.ts, benny): both run the same cases through these functions.
//
// Every case is first warmed up until V8 has tiered its code up from Liftoff to TurboFan. A run's time
// is the smaller of its wall clock and the process's CPU time: on a machine shared with other work the
// CPU time leaves out the waits for a core, the wall clock is exact when nothing else runs.
// A case that counts its flops is timed in pairs (timePaired): a run of the peak probe right before
// every run of the case, so the share of peak compares two figures measured within milliseconds of
// each other on the same core; the figures are the medians over the pairs. (Before: best of the runs
// against one probe at the start of the process; the vCPUs here change speed from second to second
// and the share of a conv kernel swung by +-10% between processes.) The other cases: fastest run.

/** One timed case: `run` does `flops` floating-point operations (0: not counted) on `images` images. */
export interface BenchCase {
  /** The JSON keys' stem: <key>_ms, and <key>_gflops + <key>_peak_share, or <key>_<per>_s. */
  key: string;
  label: string;
  flops: number;
  images: number;
  /** What an image-rate figure counts: images ("img", the default) or saliency maps ("maps"). */
  per?: "img" | "maps";
  /** Report the image rate even though the case counts its flops (the whole steps report both). */
  rate?: boolean;
  /** A scalar twin (timed for less long, left out with noTwins). */
  twin?: boolean;
  /** Threads the case runs on (default 1): above 1 only the wall clock counts (the process's CPU
   *  time sums every thread). */
  threads?: number;
  run: () => void;
}

/** Seconds of CPU time (user + system) of the process since `since`, or NaN where unavailable. */
function cpuSince(since: NodeJS.CpuUsage | undefined): number {
  if (!since) return NaN;
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

/** One run of `c`: wall-clock and CPU seconds. CPU time excludes the time the thread waited for a
 *  core, so on a shared machine it is the steadier measure of the kernel itself. */
export function timeOnce(c: BenchCase): { wall: number; cpu: number } {
  const cpu0 = typeof process !== "undefined" && process.cpuUsage ? process.cpuUsage() : undefined;
  const t0 = performance.now();
  c.run();
  const wall = (performance.now() - t0) / 1e3;
  return { wall, cpu: cpuSince(cpu0) };
}

/** Warm-up: V8 starts wasm in Liftoff and tiers hot functions up in the background; run until two
 *  consecutive timings agree (or 12 runs). */
export function warmUp(c: BenchCase): void {
  let prev = Infinity;
  for (let i = 0; i < 12; i++) {
    const t = timeOnce(c).wall;
    if (i >= 2 && Math.abs(t - prev) < 0.05 * prev) break;
    prev = t;
  }
}

/** Seconds of timed runs for a case: the twins at most 0.2 s (their rate does not need more). */
export function caseTime(c: BenchCase, minTime = 0.8): number {
  return c.twin ? Math.min(minTime, 0.2) : minTime;
}

/** Best seconds per run of `c` after a warm-up, timing for at least minTime seconds in total: the
 *  smaller of the best wall-clock and the best CPU time (see timeOnce). */
export function timeCase(c: BenchCase, minTime = 0.8): number {
  warmUp(c);
  let best = Infinity,
    total = 0,
    reps = 0;
  while (total < minTime || reps < 3) {
    const { wall, cpu } = timeOnce(c);
    best = Math.min(best, wall, Number.isNaN(cpu) || (c.threads ?? 1) > 1 ? wall : cpu);
    total += wall;
    reps++;
  }
  return best;
}

/** The median of xs (the mean of the middle two for an even count). */
function median(xs: number[]): number {
  const y = [...xs].sort((a, b) => a - b),
    m = y.length >> 1;
  return y.length % 2 ? y[m] : (y[m - 1] + y[m]) / 2;
}

/** A flop-counting case timed against the peak probe (timePaired). */
export interface Paired {
  /** Median seconds per run of the case. */
  sec: number;
  /** Median over the pairs of (the run's GFLOP/s) / (its probe's GFLOP/s), and the lower and upper
   *  quartiles of the same ratios. */
  share: number;
  shareLo: number;
  shareHi: number;
  /** Pairs timed. */
  reps: number;
}

/** Warm `c` up, then time it in pairs (a run of the probe `peak`, a run of `c`) for at least minTime
 *  seconds (probe included) and at least 7 pairs: medians as described at the top. */
export function timePaired(c: BenchCase, peak: BenchCase, minTime = 0.8): Paired {
  warmUp(c);
  const secs: number[] = [],
    shares: number[] = [];
  const one = (k: BenchCase) => {
    const { wall, cpu } = timeOnce(k);
    return Number.isNaN(cpu) || (k.threads ?? 1) > 1 ? wall : Math.min(wall, cpu);
  };
  let total = 0;
  while (total < minTime || secs.length < 7) {
    const t0 = performance.now(),
      tp = one(peak),
      tc = one(c);
    total += (performance.now() - t0) / 1e3;
    secs.push(tc);
    shares.push(c.flops / tc / (peak.flops / tp));
  }
  const sorted = [...shares].sort((a, b) => a - b),
    q = (f: number) => sorted[Math.round(f * (sorted.length - 1))];
  return { sec: median(secs), share: median(shares), shareLo: q(0.25), shareHi: q(0.75), reps: secs.length };
}

/** The JSON figures of a case that took `sec` seconds per run: <key>_ms, and GFLOP/s with the share
 *  of the measured peak when the case counts its flops (`paired`: the paired share and its quartiles,
 *  <key>_peak_share_lo / _hi; otherwise GFLOP/s over peakGflops), otherwise images (or maps) per
 *  second. */
export function caseFigures(c: BenchCase, sec: number, peakGflops: number, paired?: Paired): Record<string, number> {
  const r: Record<string, number> = { [`${c.key}_ms`]: sec * 1e3 };
  if (c.flops > 0) {
    r[`${c.key}_gflops`] = c.flops / sec / 1e9;
    r[`${c.key}_peak_share`] = paired ? paired.share : r[`${c.key}_gflops`] / peakGflops;
    if (paired) {
      r[`${c.key}_peak_share_lo`] = paired.shareLo;
      r[`${c.key}_peak_share_hi`] = paired.shareHi;
    }
  }
  if (c.images > 0 && (c.flops === 0 || c.rate)) {
    r[`${c.key}_${c.per ?? "img"}_s`] = c.images / sec;
  }
  return r;
}

/** One line for a human: label, ms, and GFLOP/s with the share of the peak, or images/s. */
export function caseLine(c: BenchCase, sec: number, peakGflops: number, paired?: Paired): string {
  const head = `${c.label.padEnd(46)} ${(sec * 1e3).toFixed(2).padStart(9)} ms`;
  if (c.flops > 0) {
    const gf = c.flops / sec / 1e9;
    const img =
      c.images > 0 ? `  ${(c.images / sec).toFixed(0).padStart(7)} ${c.per === "maps" ? "maps" : "images"}/s` : "";
    const pct = (x: number) => (100 * x).toFixed(0);
    const share = paired
      ? `${pct(paired.share).padStart(3)}% of peak (${pct(paired.shareLo)}-${pct(paired.shareHi)})`
      : `${pct(gf / peakGflops).padStart(3)}% of peak`;
    return `${head} ${gf.toFixed(1).padStart(6)} GFLOP/s ${share}${img}`;
  }
  return `${head} ${(c.images / sec).toFixed(0).padStart(9)} ${c.per === "maps" ? "maps" : "images"}/s`;
}
