// Number and text formatting shared by the tables, charts and page. One rule everywhere: a value that
// is not a finite number is shown as an en dash "–", never as "NaN", "undefined" or "Infinity".

/** The mark shown for a missing or non-finite value. */
export const MISSING = "\u2013";

/** x with exactly `digits` decimals (ASCII minus), or "–" when x is not a finite number. */
export function fixed(x: number | null | undefined, digits: number): string {
  if (typeof x !== "number" || !Number.isFinite(x)) return MISSING;
  const s = x.toFixed(digits);
  // -0.000 reads as a sign error; a value that rounds to zero is shown unsigned.
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** "mean ± sd" with fixed decimals; a missing sd leaves "mean ± –", a missing mean is "–". */
export function meanSd(mean: number | null | undefined, sd: number | null | undefined, digits: number): string {
  const m = fixed(mean, digits);
  if (m === MISSING) return MISSING;
  return `${m} \u00b1 ${fixed(sd, digits)}`;
}

/** Typographic form for HTML and SVG: the leading ASCII hyphen of a negative number becomes "−". */
export function typographic(s: string): string {
  return s.replace(/(^|[\s(])-(?=\d)/g, "$1\u2212");
}

/** Escapes text for HTML and XML content and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a double quote, a line break or leading or
 * trailing space, with inner quotes doubled. Numbers go through `fixed` first (so NaN is an empty
 * field — what pandas and R read as missing — rather than a dash).
 */
export function csvField(v: string | number | null | undefined, digits = 6): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? fixed(v, digits) : "";
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A CSV document: header and rows joined with LF, ending in LF. */
export function csvLines(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header.map((h) => csvField(h)).join(","), ...rows.map((r) => r.join(","))].join("\n") + "\n";
}

/** A Markdown table cell: pipes and line breaks escaped. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A Markdown pipe table; `align` per column: "l" or "r". */
export function mdTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ("l" | "r")[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(mdCell).join(" | ")} |`;
  const rule = `|${align
    .map((a) => (a === "r" ? "---:" : ":---"))
    .map((r) => ` ${r} `)
    .join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n") + "\n";
}

/** Display names of the map metrics (the statistics tables and charts). */
export const METRIC_NAMES: Record<string, string> = {
  cc: "CC",
  kl: "KL",
  sim: "SIM",
  spearman: "Spearman",
  entropySpatial: "H spatial",
  entropyHist: "H histogram",
};
export const mname = (m: string) => METRIC_NAMES[m] ?? m;
/** A difference with its sign, and a typographic minus. */
export const signed = (x: number, d = 3) =>
  ((Number.isFinite(x) && x > 0 ? "+" : "") + fixed(x, d)).replace(/^-/, "\u2212");
/** A p-value: 4 decimals, or 1 significant digit in exponent form below 0.0001. */
export const pText = (p: number) => (!Number.isFinite(p) ? MISSING : p < 0.0001 ? p.toExponential(1) : p.toFixed(4));
