"""What the browser tests share: setting up a project from the seeds and driving the mouse."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from annotations.importing import read_paths
from annotations.models import Role
from annotations.services import documents_import, membership_set, project_create

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# Finds the n-th occurrence of a string in the document text and returns the centres of its
# first and last characters on screen, after scrolling it into view.
_LOCATE = """([needle, occurrence, rootId]) => {
  const root = document.getElementById(rootId);
  const text = root.textContent;
  let at = -1;
  for (let i = 0; i <= occurrence; i += 1) at = text.indexOf(needle, at + 1);
  if (at < 0) return null;
  const nodeAt = (offset) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let seen = 0;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (seen + node.length > offset) return [node, offset - seen];
      seen += node.length;
    }
    return null;
  };
  const [firstNode] = nodeAt(at);
  const holder = firstNode.parentElement === root ? root : firstNode.parentElement;
  holder.scrollIntoView({block: "center"});
  const centre = (offset, length) => {
    const [node, inner] = nodeAt(offset);
    const range = document.createRange();
    range.setStart(node, inner);
    range.setEnd(node, Math.min(node.length, inner + length));
    const box = range.getClientRects()[0] || range.getBoundingClientRect();
    // Whole pixels: Chromium does not start a drag selection from a fractional press point.
    return {
      x: Math.round(box.left + box.width / 2),
      y: Math.round(box.top + box.height / 2),
      left: Math.ceil(box.left + 1),
      right: Math.floor(box.right - 1),
    };
  };
  const first = [...needle][0].length;
  const last = [...needle].at(-1).length;
  return {start: centre(at, first), end: centre(at + needle.length - last, last)};
}"""


def seed_project(
    *,
    reviewers: list[Any],
    lead: Any | None = None,
    seeds: list[str] | None = None,
    reviews_required: int = 2,
) -> Any:
    """A project with the seed documents imported and pre-annotated (needs eager Celery)."""
    project = project_create(name=f"Seeds {time.time_ns()}", reviews_required=reviews_required)
    for reviewer in reviewers:
        membership_set(project=project, user=reviewer, role=Role.REVIEWER)
    if lead is not None:
        membership_set(project=project, user=lead, role=Role.LEAD)
    paths = [SEEDS / name for name in seeds] if seeds else [SEEDS]
    documents_import(project=project, items=read_paths(paths, max_bytes=5 * 1024 * 1024))
    return project


def drag_select(page: Any, needle: str, occurrence: int = 0, root: str = "doc-text") -> None:
    """Select `needle` in the text of element `root` with the mouse, as a person would."""
    points = page.evaluate(_LOCATE, [needle, occurrence, root])
    assert points is not None, f"{needle!r} is not in the text"
    first, last = points["start"], points["end"]
    # Press on the leading edge of the first character and let go on the trailing edge of the
    # last: right to left when the last character lies left of the first on the same line.
    rtl = last["y"] == first["y"] and last["x"] < first["x"]
    start_x, end_x = (first["right"], last["left"]) if rtl else (first["left"], last["right"])
    page.mouse.move(start_x, first["y"])
    page.mouse.down()
    page.mouse.move(end_x, last["y"], steps=6)
    page.mouse.up()


def click_text(page: Any, needle: str, occurrence: int = 0) -> None:
    """Click the middle of the first character of `needle` in the document text."""
    points = page.evaluate(_LOCATE, [needle, occurrence, "doc-text"])
    assert points is not None, f"{needle!r} is not in the text"
    page.mouse.click(points["start"]["x"], points["start"]["y"])


def wait_saved(page: Any) -> None:
    expect(page.locator("#save-state")).to_have_attribute("data-status", "saved")


def open_workspace(page: Any) -> None:
    expect(page.locator("#workspace")).to_have_attribute("data-state", "ready")


def import_text(project: Any, *, title: str, text: str) -> Any:
    """Import one document through the importer (normalised, pre-annotated) and return it."""
    from annotations.importing import parse_record
    from annotations.models import Document

    item = parse_record("test", {"title": title, "text": text}, max_bytes=5 * 1024 * 1024)
    documents_import(project=project, items=[item])
    return Document.objects.get(project=project, title=title)
