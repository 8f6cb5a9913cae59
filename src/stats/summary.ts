// The stats section as plain text for the terminal: per set and metric, the mean paired difference
// to the primary floor with its interval, the Holm-corrected p and the verdict; then accuracy, the
// poster's claims and the near-chance warning. Portable (returns lines).
import type { PairedComparison, StudyStats } from "./study.js";

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d).replace(/^-(0\.0+)$/, "$1") : "–");
const sf = (x: number, d = 3) => (Number.isFinite(x) ? (x >= 0 ? "+" : "") + f(x, d) : "–");
const pv = (p: number) => (!Number.isFinite(p) ? "–" : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
const pad = (s: string, n: number) => s.padEnd(n);

const METRIC_NAMES: Record<string, string> = {
  cc: "CC",
  kl: "KL",
  sim: "SIM",
  spearman: "Spearman",
  entropySpatial: "H spatial",
  entropyHist: "H hist",
};

function row(t: PairedComparison, label: string): string {
  const ci = `[${sf(t.interval.lo)}, ${sf(t.interval.hi)}]`;
  return (
    `${pad(label, 22)}${pad(sf(t.meanDiff), 9)}${pad(ci, 20)}${pad(pv(t.p), 9)}${pad(pv(t.pHolm), 9)}` +
    `${pad(pv(t.t.pHolm), 9)}${t.verdict}`
  );
}

export function statsText(s: StudyStats): string[] {
  const d = s.design;
  const lines: string[] = [];
  if (s.nearChance.warning) lines.push("", `WARNING: ${s.nearChance.warning}`);
  const multi = d.methods.length > 1;
  lines.push(
    "",
    `Saliency against the '${d.primaryFloor}' floor (${d.init} initialisation). ${d.note}`,
    `Mean paired difference (set - floor), ${s.methods.interval}; p = ${s.methods.test}; Holm across ` +
      `the ${s.maps.length / Math.max(d.methods.length, 1)} tests of each method; "t Holm" = the paired t-test's Holm p, beside it.`,
    "",
    `${pad("set / metric", 22)}${pad("diff", 9)}${pad(`${d.level * 100}% CI`, 20)}${pad("p", 9)}` +
      `${pad("Holm p", 9)}${pad("t Holm", 9)}verdict (from the sign-flip Holm p)`,
  );
  for (const method of d.methods) {
    if (multi) lines.push(`method ${method}`);
    for (const metric of d.metrics) {
      for (const t of s.maps.filter((x) => x.method === method && x.metric === metric)) {
        lines.push(row(t, `${t.set} ${METRIC_NAMES[metric] ?? metric}`));
      }
    }
  }
  if (s.accuracy.length) {
    lines.push(
      "",
      `Test accuracy, paired across ${d.runSeeds.length} run(s) (set - control); Holm across ` +
        `${s.accuracy.length} tests.`,
      "",
    );
    for (const t of s.accuracy) lines.push(row(t, `${t.set} - ${t.against}`));
  }
  lines.push("", "The poster's claims:");
  for (const c of s.claims.saliencyVsAccuracy) {
    const iv = c.interval;
    const ci = iv ? `, ${iv.level * 100}% CI [${sf(iv.lo)}, ${sf(iv.hi)}] (${iv.method})` : "";
    lines.push(
      `  (1) ${METRIC_NAMES[c.metric] ?? c.metric} to Orig vs test-accuracy gain over Orig (${c.method}, ` +
        `n = ${c.n}): Spearman rho ${sf(c.rho)}, permutation p ${pv(c.p)}${ci}. ${c.verdict}`,
    );
  }
  for (const c of s.claims.entropyVariation) {
    lines.push(
      `  (2) ${METRIC_NAMES[c.metric] ?? c.metric} across ${c.treatments.length} models (${c.method}, ` +
        `Friedman, ${c.blocks} blocks = run x query): chi2 ${f(c.statistic, 2)}, df ${c.df}, p ${pv(c.p)}. ${c.verdict}`,
    );
  }
  const conv = s.claims.convergence;
  lines.push(
    `  (3) epochs to ${conv.threshold * 100}% of the best validation accuracy, mean ` +
      `[${d.level * 100}% t-interval]: ` +
      conv.perSet.map((x) => `${x.set} ${f(x.mean, 1)} [${f(x.interval.lo, 1)}, ${f(x.interval.hi, 1)}]`).join("; "),
  );
  for (const t of conv.vsBaseline) lines.push("      " + row(t, `${t.set} - ${t.against}`));
  return lines;
}
