// What a test can reach at a given n: a permutation test over n units can never give a p below its
// smallest attainable value, so "not significant" at small n may only mean "could not be". These
// helpers say so, and which n would be needed.

export type TestKind = "sign-flip" | "wilcoxon" | "t" | "spearman";

/** Smallest attainable two-sided p of the test at n units (untied data; ties only raise it).
 *  sign-flip and Wilcoxon (exact): the two extreme patterns of 2^n, 2 / 2^n. Spearman (exact
 *  permutation): identity and reversal of n! orders, 2 / n!. t: any p > 0 once n >= 2. */
export function minAttainableP(kind: TestKind, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`minAttainableP: bad n ${n}`);
  switch (kind) {
    case "sign-flip":
    case "wilcoxon":
      return n === 0 ? 1 : Math.min(1, 2 / 2 ** n);
    case "spearman": {
      if (n < 2) return 1;
      let f = 1;
      for (let i = 2; i <= n; i++) f *= i;
      return Math.min(1, 2 / f);
    }
    case "t":
      return n >= 2 ? 0 : 1;
  }
}

/** Smallest n at which the test can give p < alpha (e.g. sign-flip at 0.05: 6, since 2/2^5 = 0.0625).
 *  With `family` m > 1 tests under Holm's correction, the smallest adjusted p is m times the smallest
 *  raw p, so the n returned is the one at which m · minAttainableP(n) < alpha. */
export function unitsNeeded(kind: TestKind, alpha = 0.05, family = 1): number {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`unitsNeeded: alpha must be in (0, 1) (got ${alpha})`);
  if (!Number.isInteger(family) || family < 1) throw new RangeError(`unitsNeeded: bad family size ${family}`);
  for (let n = 1; n < 1100; n++) if (family * minAttainableP(kind, n) < alpha) return n;
  return Infinity;
}
