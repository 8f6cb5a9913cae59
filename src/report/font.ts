// A small proportional bitmap font for labels drawn as pixels in the PNG figures.
//
// Cell: up to 5 pixels wide, 9 rows tall. Rows 0-6 hold capitals, digits and ascenders (cap height 7,
// x-height 5: rows 2-6); the baseline lies under row 6; rows 7-8 hold descenders (g j p q y , ;).
// Glyphs are proportional (i is 1 pixel wide, m is 5); digits are all 5 wide so numbers line up.
// Advance = glyph width + 1 pixel. Drawn in-house for augsal; any character without a glyph is drawn
// as a hollow box so a missing glyph is visible rather than silently dropped.
//
// Each entry: rows top to bottom separated by spaces, '#' = ink, '.' = paper; omitted rows are blank.

/** Rows above the baseline (cap height). */
export const FONT_CAP_HEIGHT = 7;
/** Total rows of a glyph cell including descenders. */
export const FONT_CELL_HEIGHT = 9;
/** Blank pixels between two glyphs. */
export const FONT_SPACING = 1;

const SOURCE: Record<string, string> = {
  " ": "... ... ... ... ... ... ...",
  "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
  "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
  "2": ".###. #...# ....# ...#. ..#.. .#... #####",
  "3": ".###. #...# ....# ..##. ....# #...# .###.",
  "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
  "5": "##### #.... ####. ....# ....# #...# .###.",
  "6": "..##. .#... #.... ####. #...# #...# .###.",
  "7": "##### ....# ...#. ..#.. .#... .#... .#...",
  "8": ".###. #...# #...# .###. #...# #...# .###.",
  "9": ".###. #...# #...# .#### ....# ...#. .##..",
  A: ".###. #...# #...# ##### #...# #...# #...#",
  B: "####. #...# #...# ####. #...# #...# ####.",
  C: ".###. #...# #.... #.... #.... #...# .###.",
  D: "####. #...# #...# #...# #...# #...# ####.",
  E: "##### #.... #.... ####. #.... #.... #####",
  F: "##### #.... #.... ####. #.... #.... #....",
  G: ".###. #...# #.... #.### #...# #...# .####",
  H: "#...# #...# #...# ##### #...# #...# #...#",
  I: "### .#. .#. .#. .#. .#. ###",
  J: "..### ...#. ...#. ...#. ...#. #..#. .##..",
  K: "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
  L: "#... #... #... #... #... #... ####",
  M: "#...# ##.## #.#.# #.#.# #...# #...# #...#",
  N: "#...# #...# ##..# #.#.# #..## #...# #...#",
  O: ".###. #...# #...# #...# #...# #...# .###.",
  P: "####. #...# #...# ####. #.... #.... #....",
  Q: ".###. #...# #...# #...# #.#.# #..#. .##.#",
  R: "####. #...# #...# ####. #.#.. #..#. #...#",
  S: ".#### #.... #.... .###. ....# ....# ####.",
  T: "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
  U: "#...# #...# #...# #...# #...# #...# .###.",
  V: "#...# #...# #...# #...# #...# .#.#. ..#..",
  W: "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
  X: "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
  Y: "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
  Z: "##### ....# ...#. ..#.. .#... #.... #####",
  a: "..... ..... .###. ....# .#### #...# .####",
  b: "#.... #.... #.##. ##..# #...# #...# ####.",
  c: ".... .... .### #... #... #... .###",
  d: "....# ....# .##.# #..## #...# #...# .####",
  e: "..... ..... .###. #...# ##### #.... .###.",
  f: "..## .#.. #### .#.. .#.. .#.. .#..",
  g: "..... ..... .#### #...# #...# #...# .#### ....# .###.",
  h: "#.... #.... #.##. ##..# #...# #...# #...#",
  i: "# . # # # # #",
  j: "..# ... ..# ..# ..# ..# ..# #.# .#.",
  k: "#... #... #..# #.#. ##.. #.#. #..#",
  l: "#. #. #. #. #. #. .#",
  m: "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#",
  n: ".... .... #.#. ##.# #..# #..# #..#",
  o: "..... ..... .###. #...# #...# #...# .###.",
  p: "..... ..... ####. #...# #...# #...# ####. #.... #....",
  q: "..... ..... .#### #...# #...# #...# .#### ....# ....#",
  r: ".... .... #.## ##.. #... #... #...",
  s: ".... .... .### #... .##. ...# ###.",
  t: ".#.. .#.. #### .#.. .#.. .#.. ..##",
  u: ".... .... #..# #..# #..# #..# .###",
  v: "..... ..... #...# #...# #...# .#.#. ..#..",
  w: "..... ..... #...# #...# #.#.# #.#.# .#.#.",
  x: "..... ..... #...# .#.#. ..#.. .#.#. #...#",
  y: ".... .... #..# #..# #..# #..# .### ...# .##.",
  z: "..... ..... ##### ...#. ..#.. .#... #####",
  ".": ". . . . . . #",
  ",": ".. .. .. .. .. .# .# #.",
  ":": ". . # . . . #",
  ";": ".. .. .# .. .. .# .# #.",
  "-": ".... .... .... #### .... .... ....",
  "\u2013": "..... ..... ..... ##### ..... ..... .....", // – en dash (a missing value)
  "\u2212": "..... ..... ..... ##### ..... ..... .....", // − minus
  "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
  "=": ".... .... #### .... #### .... ....",
  "\u00b1": "..#.. ..#.. ##### ..#.. ..#.. ..... #####", // ±
  "\u00d7": "..... ..... #...# .#.#. ..#.. .#.#. #...#", // ×
  "\u00f7": "..... ..#.. ..... ##### ..... ..#.. .....", // ÷
  "/": "....# ...#. ...#. ..#.. .#... .#... #....",
  "\\": "#.... .#... .#... ..#.. ...#. ...#. ....#",
  "|": "# # # # # # # # #",
  "(": "..# .#. #.. #.. #.. .#. ..#",
  ")": "#.. .#. ..# ..# ..# .#. #..",
  "[": "### #.. #.. #.. #.. #.. ###",
  "]": "### ..# ..# ..# ..# ..# ###",
  "<": "...# ..#. .#.. #... .#.. ..#. ...#",
  ">": "#... .#.. ..#. ...# ..#. .#.. #...",
  "%": "##..# ##..# ...#. ..#.. .#... #..## #..##",
  "#": ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.",
  "*": "..... ..#.. #.#.# .###. #.#.# ..#.. .....",
  _: "..... ..... ..... ..... ..... ..... ..... #####",
  "'": "# # . . . . .",
  '"': "#.# #.# ... ... ... ... ...",
  "!": "# # # # # . #",
  "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
  "@": ".###. #...# #.### #.#.# #.### #.... .####",
  "&": ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",
  "^": "..#.. .#.#. #...# ..... ..... ..... .....",
  "~": "..... ..... .#... #.#.# ...#. ..... .....",
  "\u2265": "#... .#.. ..#. .#.. #... .... ####", // ≥
  "\u2264": "...# ..#. .#.. ..#. ...# .... ####", // ≤
  "\u00b7": ". . . # . . .", // · middle dot
  "\u2202": ".##.. ...#. ....# .#### #...# #...# .###.", // ∂
  "\u03c3": "..... ..... .#### #..#. #...# #...# .###.", // σ
  "\u03b5": ".... .... .### #... ###. #... .###", // ε
  "\u0394": "..#.. ..#.. .#.#. .#.#. #...# #...# #####", // Δ
};

/** A glyph: width in pixels and FONT_CELL_HEIGHT rows of booleans (row-major, width per row). */
export interface Glyph {
  readonly width: number;
  readonly bits: Uint8Array; // FONT_CELL_HEIGHT * width, 1 = ink
}

function parseGlyph(ch: string, src: string): Glyph {
  const rows = src.trim().split(/\s+/);
  if (rows.length > FONT_CELL_HEIGHT) {
    throw new Error(`font: glyph ${JSON.stringify(ch)} has ${rows.length} rows, at most ${FONT_CELL_HEIGHT}`);
  }
  const width = rows[0].length;
  const bits = new Uint8Array(FONT_CELL_HEIGHT * width);
  rows.forEach((row, r) => {
    if (row.length !== width || /[^#.]/.test(row)) {
      throw new Error(
        `font: glyph ${JSON.stringify(ch)} row ${r} is ${JSON.stringify(row)} (width ${width}, '#'/'.' only)`,
      );
    }
    for (let c = 0; c < width; c++) bits[r * width + c] = row[c] === "#" ? 1 : 0;
  });
  return { width, bits };
}

const GLYPHS = new Map<string, Glyph>(Object.entries(SOURCE).map(([ch, src]) => [ch, parseGlyph(ch, src)]));

/** Drawn for characters the font lacks: a hollow 5×7 box. */
export const MISSING_GLYPH: Glyph = parseGlyph("missing", "##### #...# #...# #...# #...# #...# #####");

/** The glyph for one character (MISSING_GLYPH when the font has none). */
export function glyph(ch: string): Glyph {
  return GLYPHS.get(ch) ?? MISSING_GLYPH;
}

/** Whether the font has a glyph of its own for ch. */
export function hasGlyph(ch: string): boolean {
  return GLYPHS.has(ch);
}

/** Every character the font draws. */
export function fontCharacters(): string[] {
  return [...GLYPHS.keys()];
}

/** Width in pixels of text drawn at an integer scale (no trailing spacing). */
export function textWidth(text: string, scale = 1): number {
  let w = 0;
  let n = 0;
  for (const ch of text) {
    w += glyph(ch).width;
    n++;
  }
  return n === 0 ? 0 : (w + (n - 1) * FONT_SPACING) * scale;
}
