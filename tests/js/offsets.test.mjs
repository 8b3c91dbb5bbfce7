// node --test: UTF-16 <-> code point offsets and grapheme-safe snapping (annotations/web).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  OffsetIndex,
  graphemeCeil,
  graphemeFloor,
  nextWordEnd,
  nextWordStart,
  previousWordEnd,
  previousWordStart,
  snapRange,
  wordAt,
} from "../../annotations/web/static/web/js/offsets.js";

// What the server does: Python indexes strings by code point.
const codePoints = (text) => [...text];
const pythonSlice = (text, start, end) => codePoints(text).slice(start, end).join("");

const SAMPLES = {
  ascii: "The minister said the deficit fell.",
  zwjFamily: "A family 👨‍👩‍👧‍👦 arrived; they said so.",
  flags: "Flags 🇺🇦🇷🇺 side by side.",
  skinTone: "Wave 👋🏽 and thumbs 👍🏿 up.",
  cjk: "新华社报道，经济增长了百分之五。",
  arabic: "قال الوزير إن العجز انخفض. 😀 هذا رأيي.",
  combining: "Cafe\u0301 and n\u0303 and Z\u0351\u0336a.",
  astralStart: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math letters",
};

test("code point and UTF-16 offsets convert both ways on every boundary", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    const index = new OffsetIndex(text);
    assert.equal(index.codePointLength, codePoints(text).length, name);
    let unit = 0;
    codePoints(text).forEach((char, point) => {
      assert.equal(index.toUtf16(point), unit, `${name} toUtf16(${point})`);
      assert.equal(index.toCodePoint(unit), point, `${name} toCodePoint(${unit})`);
      unit += char.length;
    });
    assert.equal(index.toUtf16(index.codePointLength), text.length, name);
    assert.equal(index.toCodePoint(text.length), index.codePointLength, name);
  }
});

test("a UTF-16 offset inside a surrogate pair rounds down to the pair's start", () => {
  const text = "x😀y";
  const index = new OffsetIndex(text);
  assert.equal(index.toCodePoint(2), 1);
  assert.equal(index.toCodePoint(3), 2);
});

test("offsets out of range are clamped", () => {
  const index = new OffsetIndex("ab😀");
  assert.equal(index.toCodePoint(-4), 0);
  assert.equal(index.toCodePoint(99), 3);
  assert.equal(index.toUtf16(99), 4);
});

test("grapheme snapping never splits a ZWJ sequence, flag, skin tone or combining mark", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    const clusters = [...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)];
    const boundaries = new Set(clusters.map((c) => c.index).concat([text.length]));
    for (let unit = 0; unit <= text.length; unit += 1) {
      const floor = graphemeFloor(text, unit);
      const ceil = graphemeCeil(text, unit);
      assert.ok(boundaries.has(floor), `${name} floor(${unit})=${floor}`);
      assert.ok(boundaries.has(ceil), `${name} ceil(${unit})=${ceil}`);
      assert.ok(floor <= unit && ceil >= unit, name);
    }
  }
});

test("a selection inside an emoji family widens to the whole family", () => {
  const text = SAMPLES.zwjFamily;
  const family = "👨‍👩‍👧‍👦";
  const at = text.indexOf(family);
  const range = snapRange(text, at + 3, at + 5, { wholeWords: false });
  assert.deepEqual(range, { start: at, end: at + family.length });
});

test("flags stay whole: a selection over half a flag pair takes the flag", () => {
  const text = SAMPLES.flags;
  const at = text.indexOf("🇺🇦");
  const range = snapRange(text, at + 1, at + 2, { wholeWords: false });
  assert.equal(text.slice(range.start, range.end), "🇺🇦");
});

test("skin-toned emoji keep their modifier", () => {
  const text = SAMPLES.skinTone;
  const at = text.indexOf("👋🏽");
  const range = snapRange(text, at, at + 1, { wholeWords: false });
  assert.equal(text.slice(range.start, range.end), "👋🏽");
});

test("combining marks stay with their letter", () => {
  const text = SAMPLES.combining;
  const at = text.indexOf("e\u0301");
  const range = snapRange(text, at, at + 1, { wholeWords: false });
  assert.equal(text.slice(range.start, range.end), "e\u0301");
  const word = snapRange(text, 1, 2);
  assert.equal(text.slice(word.start, word.end), "Cafe\u0301");
});

test("whole-word snapping widens to words and trims whitespace", () => {
  const text = SAMPLES.ascii;
  const range = snapRange(text, text.indexOf("inister") , text.indexOf("said") + 2);
  assert.equal(text.slice(range.start, range.end), "minister said");
  assert.equal(snapRange(text, 3, 4), null);
  const padded = snapRange(text, 3, 13);
  assert.equal(text.slice(padded.start, padded.end), "minister");
});

test("Arabic words snap whole and convert to the server's code points", () => {
  const text = SAMPLES.arabic;
  const at = text.indexOf("الوزير");
  const range = snapRange(text, at + 2, at + 3);
  assert.equal(text.slice(range.start, range.end), "الوزير");
  const index = new OffsetIndex(text);
  const start = index.toCodePoint(range.start);
  const end = index.toCodePoint(range.end);
  assert.equal(pythonSlice(text, start, end), "الوزير");
  // After the emoji, code points and UTF-16 units differ by one.
  const after = text.indexOf("هذا");
  const afterRange = snapRange(text, after, after + 1);
  assert.equal(index.toCodePoint(afterRange.start), after - 1);
  assert.equal(
    pythonSlice(text, index.toCodePoint(afterRange.start), index.toCodePoint(afterRange.end)),
    "هذا",
  );
});

test("CJK text snaps to dictionary words, not the whole run", () => {
  const text = SAMPLES.cjk;
  const range = snapRange(text, 5, 6);
  assert.ok(range.end - range.start < text.length - 1, "not the whole sentence");
  assert.ok(range.start <= 5 && range.end >= 6);
});

test("a selection of an astral character converts to one code point", () => {
  const text = SAMPLES.astralStart;
  const index = new OffsetIndex(text);
  const range = snapRange(text, 0, 1, { wholeWords: false });
  assert.deepEqual(range, { start: 0, end: 2 });
  assert.equal(index.toCodePoint(range.end) - index.toCodePoint(range.start), 1);
});

test("word steps move by whole words for keyboard resizing", () => {
  const text = "one two three";
  assert.equal(nextWordEnd(text, 3), 7);
  assert.equal(nextWordEnd(text, 0), 3);
  assert.equal(nextWordEnd(text, 13), 13);
  assert.equal(previousWordStart(text, 8), 4);
  assert.equal(previousWordStart(text, 4), 0);
  assert.equal(previousWordStart(text, 0), 0);
  assert.deepEqual(wordAt(text, 3), { start: 4, end: 7 });
  assert.equal(previousWordEnd(text, 7), 3);
  assert.equal(previousWordEnd(text, 3), 0);
  assert.equal(nextWordStart(text, 0), 4);
  assert.equal(nextWordStart(text, 8), 13);
  assert.equal(wordAt(text, 13), null);
});
