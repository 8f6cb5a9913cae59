// Tidy long tables (one observation per row, one variable per column: Wickham 2014) as CSV and
// JSON that pandas.read_csv and Vega-Lite read as they are. Numbers are written in JavaScript's
// shortest round-trip form; a missing number is an empty CSV field (pandas reads NaN) and null in
// JSON. Portable: returns strings.

export type Cell = string | number | boolean | null;

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
function field(v: Cell): string {
  if (v === null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a header line, columns in the given order, "\n" line ends, a final newline. */
export function toCsv<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const out = [columns.map((c) => field(c)).join(",")];
  for (const r of rows) out.push(columns.map((c) => field((r as Record<string, Cell>)[c] ?? null)).join(","));
  return out.join("\n") + "\n";
}

/** A JSON array of row objects (Vega-Lite's "values" shape), non-finite numbers as null. */
export function toTidyJson<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const clean = rows.map((r) => {
    const o: Record<string, Cell> = {};
    for (const c of columns) {
      const v = (r as Record<string, Cell>)[c] ?? null;
      o[c] = typeof v === "number" && !Number.isFinite(v) ? null : v;
    }
    return o;
  });
  return JSON.stringify(clean) + "\n";
}
