// The report's view of the study's tests (results.json "stats", src/stats/study.ts): the at-a-glance
// box, a table of paired differences to the primary floor with intervals and Holm-corrected chips,
// and the poster's claims (the paired dot plots are charts: src/report/charts/stats.ts). Every sentence here comes
// from a test; nothing is judged by a one-sd rule.
import { escapeXml, fixed, mname, pText, signed, typographic } from "./format.js";
import { setLabel, type PairedComparison, type StudyStats } from "./types.js";

const esc = (s: string) => escapeXml(typographic(s));
/** Display label of a model (the Repeat control and the floors are not in src/sets.ts's list). */
const label = (s: string) => (s === "repeat" ? "Repeat" : setLabel(s));
const ci = (t: { lo: number; hi: number }) => `[${signed(t.lo)}, ${signed(t.hi)}]`;

/** Chip class and short text of a test's verdict (the page's existing chip colours). */
export function chipOf(t: PairedComparison): { cls: string; text: string } {
  const v = t.verdict;
  if (v.startsWith("cannot tell") || v === "no data") return { cls: "v-unknown", text: `n too small` };
  if (v === "no difference shown") return { cls: "v-within", text: "no difference shown" };
  if (v.startsWith("closer")) return { cls: "v-closer", text: "closer than floor" };
  if (v.startsWith("further")) return { cls: "v-beyond", text: "further than floor" };
  if (v.startsWith("higher")) return { cls: "v-beyond", text: "higher" };
  if (v.startsWith("lower")) return { cls: "v-beyond", text: "lower" };
  return { cls: "v-unknown", text: v };
}

/** Items of the at-a-glance box. */
export function statsGlanceItems(s: StudyStats): string[] {
  const d = s.design;
  const items: string[] = [];
  if (s.nearChance.warning) items.push(`<li><strong>Near chance.</strong> ${esc(s.nearChance.warning)}</li>`);
  items.push(`<li><strong>Design.</strong> ${esc(d.note)} ${esc(d.varianceCovered)}</li>`);
  for (const method of d.methods) {
    const cc = s.maps.filter((t) => t.metric === "cc" && t.method === method);
    if (!cc.length) continue;
    const parts = cc.map(
      (t) =>
        `${esc(label(t.set))} ${esc(signed(t.meanDiff))} ${esc(ci(t.interval))}, ` +
        `Holm p ${esc(pText(t.pHolm))} (${esc(chipOf(t).text)})`,
    );
    const which = d.methods.length > 1 ? ` (${esc(method)})` : "";
    items.push(
      `<li><strong>CC against the ${esc(d.primaryFloor)} floor${which}</strong>, mean paired difference ` +
        `[${d.level * 100}% t-interval]: ${parts.join("; ")}.</li>`,
    );
    const unreachable = cc.find((t) => !t.reachable && t.n > 0);
    if (unreachable) {
      items.push(
        `<li><strong>Too few units for a verdict.</strong> At n = ${unreachable.n} ` +
          `${unreachable.unit === "run" ? "runs" : "queries"} with ${s.maps.filter((t) => t.method === method).length} Holm-corrected ` +
          "tests (this method's family), " +
          "the sign-flip " +
          `test cannot reach p &lt; ${d.alpha} (smallest attainable ${esc(pText(unreachable.minHolmP))}); it needs ` +
          `n &ge; ${unreachable.unitsNeeded}.</li>`,
      );
    }
  }
  const accOrig = s.accuracy.filter((t) => t.against === d.baseline && t.n >= 2);
  if (accOrig.length) {
    items.push(
      `<li><strong>Test accuracy against Orig</strong> (paired over ${accOrig[0].n} runs): ` +
        accOrig.map((t) => `${esc(label(t.set))} ${esc(signed(t.meanDiff, 4))} ${esc(ci(t.interval))}`).join("; ") +
        ".</li>",
    );
  }
  return items;
}

/** Table of every map test: rows = sets, columns = metrics; difference [interval] and a chip. */
export function statsTableHtml(s: StudyStats, caption: string): string {
  const d = s.design;
  let html = "";
  for (const method of d.methods) {
    const head = d.metrics.map((m) => `<th>${esc(mname(m))}</th>`).join("");
    let body = "";
    for (const set of d.sets) {
      const cells = d.metrics
        .map((m) => {
          const t = s.maps.find((x) => x.set === set && x.metric === m && x.method === method);
          if (!t) return "<td>–</td>";
          const c = chipOf(t);
          return (
            `<td class="${c.cls}" title="${esc(t.verdict)}">${esc(signed(t.meanDiff))}<br/>` +
            `<small>${esc(ci(t.interval))} · Holm p ${esc(pText(t.pHolm))}</small>` +
            `<span class="chip">${esc(c.text)}</span></td>`
          );
        })
        .join("");
      body += `<tr><td>${esc(label(set))}</td>${cells}</tr>`;
    }
    const which = d.methods.length > 1 ? ` (method ${esc(method)})` : "";
    html +=
      `<div class="tablewrap"><table class="verdicts"><caption>${caption}${which}</caption>` +
      `<thead><tr><th>set</th>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
  }
  return html;
}

/** The poster's claims as tests. */
export function claimsHtml(s: StudyStats): string {
  const li: string[] = [];
  for (const c of s.claims.saliencyVsAccuracy) {
    const iv = c.interval ? `, ${c.interval.level * 100}% CI ${esc(ci(c.interval))} (${esc(c.interval.method)})` : "";
    li.push(
      `<li><b>Saliency change vs accuracy change</b> (${esc(mname(c.metric))} to Orig against test-accuracy ` +
        `gain over Orig, ${c.n} set × run points): Spearman ρ ${esc(signed(c.rho))}, permutation p ${esc(pText(c.p))}` +
        `${iv}. ${esc(c.verdict)}.</li>`,
    );
  }
  for (const c of s.claims.entropyVariation) {
    li.push(
      `<li><b>“No significant variation” of ${esc(mname(c.metric))}</b> across ${c.treatments.length} models ` +
        `(Friedman, ${c.blocks} blocks = run × query): χ² ${esc(fixed(c.statistic, 2))}, df ${c.df}, p ` +
        `${esc(pText(c.p))}. ${esc(c.verdict)}.</li>`,
    );
  }
  const conv = s.claims.convergence;
  li.push(
    `<li><b>Convergence</b>: epochs to ${conv.threshold * 100}% of the best validation accuracy, mean ` +
      `[${s.design.level * 100}% t-interval over runs]: ` +
      conv.perSet
        .map(
          (x) =>
            `${esc(label(x.set))} ${esc(fixed(x.mean, 1))} ${esc(
              `[${fixed(x.interval.lo, 1)}, ` + `${fixed(x.interval.hi, 1)}]`,
            )}`,
        )
        .join("; ") +
      ". Against Orig: " +
      conv.vsBaseline.map((t) => `${esc(label(t.set))} ${esc(signed(t.meanDiff, 1))} (${esc(t.verdict)})`).join("; ") +
      ".</li>",
  );
  return `<ul>${li.join("")}</ul>`;
}
