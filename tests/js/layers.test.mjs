// node --test: flattening nested and overlapping ranges into segments.
import assert from "node:assert/strict";
import { test } from "node:test";

import { buildSegments, depth, innermost } from "../../annotations/web/static/web/js/layers.js";

test("segments cover the text once, in order, with every covering item", () => {
  const outer = { start: 0, end: 10, kind: "span", id: 1 };
  const inner = { start: 2, end: 5, kind: "span", id: 2 };
  const crossing = { start: 4, end: 12, kind: "suggestion", id: 3 };
  const segments = buildSegments(15, [outer, inner, crossing]);
  assert.deepEqual(
    segments.map((s) => [s.start, s.end, s.items.map((i) => i.id)]),
    [
      [0, 2, [1]],
      [2, 4, [1, 2]],
      [4, 5, [1, 2, 3]],
      [5, 10, [1, 3]],
      [10, 12, [3]],
      [12, 15, []],
    ],
  );
  assert.equal(innermost(segments[2].items, "span").id, 2);
  assert.equal(depth(segments[2].items, "span"), 2);
  assert.equal(innermost(segments[5].items, "span"), null);
});

test("empty and out-of-range items are ignored or clamped", () => {
  const segments = buildSegments(4, [
    { start: 2, end: 2, kind: "span", id: 1 },
    { start: 1, end: 9, kind: "span", id: 2 },
  ]);
  assert.deepEqual(
    segments.map((s) => [s.start, s.end, s.items.length]),
    [
      [0, 1, 0],
      [1, 4, 1],
    ],
  );
});
