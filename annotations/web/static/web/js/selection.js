// The browser's text selection as UTF-16 offsets into the document text.
//
// The text element holds nothing but the document's text (zone labels are CSS generated
// content, not text nodes), so the length of the text before a boundary is its offset.

/** UTF-16 offset of the DOM boundary (node, offset) inside `root`. */
export function offsetOf(root, node, offset) {
  const range = root.ownerDocument.createRange();
  range.setStart(root, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

/**
 * The current selection inside `root` as {start, end} UTF-16 offsets (clipped to `root`), or
 * null when nothing (or nothing of the text) is selected.
 */
export function selectionOffsets(root) {
  const selection = root.ownerDocument.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  const length = root.textContent.length;
  const start = root.contains(range.startContainer)
    ? offsetOf(root, range.startContainer, range.startOffset)
    : 0;
  const end = root.contains(range.endContainer)
    ? offsetOf(root, range.endContainer, range.endOffset)
    : length;
  return start < end ? { start, end } : null;
}

/** Forget the browser's selection (the page draws its own). */
export function clearSelection(root) {
  const selection = root.ownerDocument.getSelection();
  if (selection) selection.removeAllRanges();
}
