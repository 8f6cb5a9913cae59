// Equivalent configurations are one configuration: `idx:DIR/` and `idx:./DIR` are `idx:/abs/DIR`,
// a spelled-out default strength is the default, an --arch written out layer by layer is the preset
// it equals. Resume compares normalised configurations, and config.json records the normalised one
// (resolved strengths included) beside the full architecture.
import { isAbsolute, resolve } from "node:path";
import { DEFAULT_RESIZED_CROP_SCALE, DEFAULT_STRENGTH, type AugName } from "../data/augment.js";
import { PRESETS, parseSpec, type ModelSpec } from "../nn/spec.js";
import type { StudyConfig } from "./config.js";

/** `idx:DIR` with DIR absolute and normalised (no trailing '/', no '.', '..'); other specs as given. */
export function normalizeDataSpec(spec: string, cwd = process.cwd()): string {
  if (!spec.startsWith("idx:")) return spec;
  const dir = spec.slice(4);
  if (dir === "") return spec;
  return `idx:${isAbsolute(dir) ? resolve(dir) : resolve(cwd, dir)}`;
}

/** The strength each augmentation of the study uses, defaults written out. */
export function resolvedStrength(
  c: Pick<StudyConfig, "aug" | "strength" | "cropMode">,
): Partial<Record<AugName, number>> {
  const out: Partial<Record<AugName, number>> = {};
  for (const a of c.aug) {
    const def = a === "crop" && c.cropMode === "resize" ? DEFAULT_RESIZED_CROP_SCALE : DEFAULT_STRENGTH[a];
    out[a] = c.strength[a] ?? def;
  }
  return out;
}

const layersKey = (s: ModelSpec) => JSON.stringify(s.layers);

/** An --arch as its preset name when its layers equal a preset's, else its layers written canonically. */
export function normalizeArch(arch: string): string {
  if (PRESETS[arch]) return arch;
  let spec: ModelSpec;
  try {
    spec = parseSpec(arch);
  } catch {
    return arch; // validateConfig reports it
  }
  for (const [name, p] of Object.entries(PRESETS)) if (layersKey(p) === layersKey(spec)) return name;
  return spec.layers
    .map((l) => (l.type === "conv" ? `conv${l.out}k${l.k}p${l.pad}` : l.type === "linear" ? `linear${l.out}` : l.type))
    .join(",");
}

/** The normalised configuration (a new object; `c` is not changed). */
export function normalizeConfig<C extends StudyConfig>(c: C, cwd = process.cwd()): C {
  return { ...c, data: normalizeDataSpec(c.data, cwd), arch: normalizeArch(c.arch), strength: resolvedStrength(c) };
}

/** The architecture a run builds: the spec on the data's real image size. */
export function fullArchitecture(arch: string, rows: number, cols: number): ModelSpec {
  return parseSpec(arch, [1, rows, cols]);
}

/** Keys whose values differ between two (normalised) configurations, in a stable order. */
export function configDiff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();
}
