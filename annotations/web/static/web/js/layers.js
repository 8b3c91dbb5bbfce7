// Flatten overlapping ranges (zones, suggestions, spans) into non-overlapping segments.
//
// Each segment lists every item that covers it, so nested and overlapping spans stay visible
// (each layer draws its own mark) and clickable (a click offers every span under the pointer).

/**
 * @param {number} length text length (the unit the ranges use)
 * @param {{start:number,end:number,kind:string,id:(number|string)}[]} items
 * @returns {{start:number,end:number,items:object[]}[]} segments covering [0, length)
 */
export function buildSegments(length, items) {
  const cuts = new Set([0, length]);
  for (const item of items) {
    if (item.end <= item.start) continue;
    cuts.add(Math.max(0, Math.min(length, item.start)));
    cuts.add(Math.max(0, Math.min(length, item.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const starting = new Map();
  for (const item of items) {
    if (item.end <= item.start) continue;
    const at = Math.max(0, item.start);
    if (!starting.has(at)) starting.set(at, []);
    starting.get(at).push(item);
  }
  const segments = [];
  let active = [];
  for (let i = 0; i + 1 < points.length; i += 1) {
    const start = points[i];
    const end = points[i + 1];
    active = active.filter((item) => item.end > start);
    for (const item of starting.get(start) || []) active.push(item);
    if (end > start) segments.push({ start, end, items: active.slice() });
  }
  return segments;
}

/** Of the items covering a segment, the innermost (shortest) one of `kind`, or null. */
export function innermost(items, kind) {
  let best = null;
  for (const item of items) {
    if (item.kind !== kind) continue;
    if (best === null || item.end - item.start < best.end - best.start) best = item;
  }
  return best;
}

/** How deeply items of `kind` nest over a segment (0 when none covers it). */
export function depth(items, kind) {
  return items.reduce((count, item) => count + (item.kind === kind ? 1 : 0), 0);
}
