// Offsets between the browser and the server.
//
// The server counts Unicode code points (Python string indices); the DOM counts UTF-16 code
// units. An OffsetIndex converts both ways in O(log n) after one O(n) pass, and the snapping
// helpers move a UTF-16 boundary so that it never splits a surrogate pair or a grapheme
// cluster (emoji ZWJ sequences, flags, skin tones, combining marks).

/** True when the UTF-16 unit at `i` is the second half of a surrogate pair. */
function isLowSurrogateAt(text, i) {
  const unit = text.charCodeAt(i);
  const previous = text.charCodeAt(i - 1);
  return i > 0 && unit >= 0xdc00 && unit <= 0xdfff && previous >= 0xd800 && previous <= 0xdbff;
}

/** Number of values in the sorted array `sorted` that are strictly less than `value`. */
function countBelow(sorted, value) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class OffsetIndex {
  /** @param {string} text the document text exactly as the server stores it */
  constructor(text) {
    this.text = text;
    // UTF-16 positions of the astral characters (two units each), and their code point indices.
    const astralUnits = [];
    const astralPoints = [];
    for (let i = 0; i < text.length; i += 1) {
      const unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
        const next = text.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          astralUnits.push(i);
          astralPoints.push(i - astralUnits.length + 1);
          i += 1;
        }
      }
    }
    this.astralUnits = astralUnits;
    this.astralPoints = astralPoints;
    this.length = text.length;
    this.codePointLength = text.length - astralUnits.length;
  }

  /** Code point offset of a UTF-16 offset; inside a surrogate pair it rounds down. */
  toCodePoint(unit) {
    const clamped = Math.max(0, Math.min(unit, this.length));
    const safe = isLowSurrogateAt(this.text, clamped) ? clamped - 1 : clamped;
    return safe - countBelow(this.astralUnits, safe);
  }

  /** UTF-16 offset of a code point offset. */
  toUtf16(point) {
    const clamped = Math.max(0, Math.min(point, this.codePointLength));
    return clamped + countBelow(this.astralPoints, clamped);
  }
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
const wordSegmenter = new Intl.Segmenter(undefined, { granularity: "word" });
// Segmenting is lazy (`containing` looks only near the index); keep the last text's segments.
const cache = { grapheme: [null, null], word: [null, null] };

function segmentsOf(kind, text) {
  const [cachedText, cachedSegments] = cache[kind];
  if (cachedText === text) return cachedSegments;
  const segmenter = kind === "word" ? wordSegmenter : graphemeSegmenter;
  const segments = segmenter.segment(text);
  cache[kind] = [text, segments];
  return segments;
}

const graphemes = { segment: (text) => segmentsOf("grapheme", text) };
const words = { segment: (text) => segmentsOf("word", text) };

/** The grapheme boundary at or before `unit` (a start never splits a cluster). */
export function graphemeFloor(text, unit) {
  if (unit <= 0) return 0;
  if (unit >= text.length) return text.length;
  return graphemes.segment(text).containing(unit).index;
}

/** The grapheme boundary at or after `unit` (an end never splits a cluster). */
export function graphemeCeil(text, unit) {
  if (unit <= 0) return 0;
  if (unit >= text.length) return text.length;
  const segment = graphemes.segment(text).containing(unit);
  return segment.index === unit ? unit : segment.index + segment.segment.length;
}

const SPACE = /\s/u;

/**
 * Snap a UTF-16 range [start, end) to what a reviewer means: whitespace trimmed, widened to
 * whole words when `wholeWords` (the default), and always on grapheme boundaries. Returns
 * null when nothing but whitespace is left.
 */
export function snapRange(text, start, end, { wholeWords = true } = {}) {
  let from = Math.max(0, Math.min(start, end));
  let to = Math.min(text.length, Math.max(start, end));
  from = graphemeFloor(text, from);
  to = graphemeCeil(text, to);
  while (from < to && SPACE.test(text[from])) from += 1;
  while (to > from && SPACE.test(text[to - 1])) to -= 1;
  if (from >= to) return null;
  if (wholeWords) {
    const first = words.segment(text).containing(from);
    if (first.isWordLike) from = first.index;
    const last = words.segment(text).containing(to - 1);
    if (last.isWordLike) to = last.index + last.segment.length;
  }
  return { start: graphemeFloor(text, from), end: graphemeCeil(text, to) };
}

/** The end of the first word that ends after `unit` (or the text's end). */
export function nextWordEnd(text, unit) {
  let i = Math.max(0, unit);
  while (i < text.length) {
    const segment = words.segment(text).containing(i);
    const segmentEnd = segment.index + segment.segment.length;
    if (segment.isWordLike && segmentEnd > unit) return segmentEnd;
    i = segmentEnd;
  }
  return text.length;
}

/** The start of the last word that starts before `unit` (or 0). */
export function previousWordStart(text, unit) {
  let i = Math.min(text.length, unit) - 1;
  while (i >= 0) {
    const segment = words.segment(text).containing(i);
    if (segment.isWordLike && segment.index < unit) return segment.index;
    i = segment.index - 1;
  }
  return 0;
}

/** The word at or after `unit`, as a UTF-16 range, or null when no word follows. */
export function wordAt(text, unit) {
  let i = Math.max(0, unit);
  while (i < text.length) {
    const segment = words.segment(text).containing(i);
    if (segment.isWordLike) {
      return { start: segment.index, end: segment.index + segment.segment.length };
    }
    i = segment.index + segment.segment.length;
  }
  return null;
}

/** The end of the last word that ends before `unit` (or 0). */
export function previousWordEnd(text, unit) {
  let i = Math.min(text.length, unit) - 1;
  while (i >= 0) {
    const segment = words.segment(text).containing(i);
    const segmentEnd = segment.index + segment.segment.length;
    if (segment.isWordLike && segmentEnd < unit) return segmentEnd;
    i = segment.index - 1;
  }
  return 0;
}

/** The start of the first word that starts after `unit` (or the text's end). */
export function nextWordStart(text, unit) {
  let i = Math.max(0, unit);
  while (i < text.length) {
    const segment = words.segment(text).containing(i);
    if (segment.isWordLike && segment.index > unit) return segment.index;
    i = segment.index + segment.segment.length;
  }
  return text.length;
}
