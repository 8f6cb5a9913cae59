// The models' colours, markers and dash patterns, one list for every chart (src/report/charts/) and
// figure: the charts themselves are Vega-Lite specs (src/report/charts/), no hand-written SVG.
//
// Colours: the Okabe–Ito palette (Okabe & Ito 2008, "Color Universal Design"), whose eight colours stay
// distinguishable under the common colour-vision deficiencies; every model also has its own marker and
// dash pattern, so the charts still read in greyscale.

/** The Okabe–Ito palette. */
export const OKABE_ITO = {
  black: "#000000",
  orange: "#E69F00",
  skyBlue: "#56B4E9",
  bluishGreen: "#009E73",
  yellow: "#F0E442",
  blue: "#0072B2",
  vermillion: "#D55E00",
  reddishPurple: "#CC79A7",
} as const;

export type MarkerKind = "circle" | "square" | "triangle" | "diamond" | "triangleDown" | "cross" | "plus" | "star";

export interface SeriesStyle {
  color: string;
  marker: MarkerKind;
  /** SVG stroke-dasharray, "" for solid. */
  dash: string;
}

const STYLES: Record<string, SeriesStyle> = {
  orig: { color: OKABE_ITO.black, marker: "circle", dash: "" },
  scaling: { color: OKABE_ITO.orange, marker: "square", dash: "7 3" },
  crop: { color: OKABE_ITO.skyBlue, marker: "triangle", dash: "" },
  erasing: { color: OKABE_ITO.bluishGreen, marker: "diamond", dash: "2 2.5" },
  distortion: { color: OKABE_ITO.vermillion, marker: "triangleDown", dash: "9 3 2 3" },
  blur: { color: OKABE_ITO.blue, marker: "cross", dash: "4 2" },
};
const EXTRA: SeriesStyle[] = [
  { color: OKABE_ITO.reddishPurple, marker: "plus", dash: "1 3" },
  { color: "#8C6D00", marker: "star", dash: "10 2" }, // a darkened Okabe–Ito yellow: pure yellow vanishes on white
  { color: "#6E6E6E", marker: "circle", dash: "3 3" },
];

/** Colour, marker and dash of a set: fixed for the six known sets, then the extra styles in order. */
export function setStyle(set: string, extraIndex = 0): SeriesStyle {
  return STYLES[set] ?? EXTRA[extraIndex % EXTRA.length];
}

/** Styles of a list of sets: the known sets their own, the others the extra styles in list order. */
export function stylesFor(sets: readonly string[]): SeriesStyle[] {
  let extra = 0;
  return sets.map((s) => (STYLES[s] ? STYLES[s] : setStyle(s, extra++)));
}
