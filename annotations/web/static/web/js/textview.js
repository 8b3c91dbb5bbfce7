// Draws the document text with its zones, suggestions, the reviewer's spans and the pending
// selection. Text only ever goes in through text nodes (textContent), never as markup.

import { buildSegments, depth, innermost } from "./layers.js";

// Body text is what reviewers read: it carries no label of its own.
const ZONE_NAMES = {
  article: "Article",
  body: "",
  title: "Title",
  byline: "Byline",
  caption: "Caption",
  comments: "Reader comments",
  boilerplate: "Page boilerplate",
};
const DIMMED = new Set(["title", "byline", "caption", "comments", "boilerplate"]);

/** "#2e7d32" -> "rgba(46, 125, 50, 0.2)" */
export function tint(hex, alpha) {
  const value = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(value >> 16) & 255}, ${(value >> 8) & 255}, ${value & 255}, ${alpha})`;
}

export class TextView {
  /**
   * @param {HTMLElement} root the element that holds the text and nothing else
   * @param {string} text the document text
   * @param {Map<string, object>} labels label value -> {name, color, hotkey}
   */
  constructor(root, text, labels) {
    this.root = root;
    this.text = text;
    this.labels = labels;
    this.segments = [];
    this.firstElement = new Map();
  }

  labelName(value) {
    const label = this.labels.get(value);
    return label ? label.name : value;
  }

  labelColor(value) {
    const label = this.labels.get(value);
    return label ? label.color : "#555555";
  }

  /**
   * @param {{zones:object[], suggestions:object[], spans:object[], draft:object|null,
   *          selected:{kind:string,id:any}|null}} layers ranges in UTF-16 units (`u.start`, `u.end`)
   */
  render({ zones, suggestions, spans, draft, selected }) {
    const items = [];
    let articles = 0;
    for (const zone of zones) {
      const isArticle = zone.kind === "article";
      if (isArticle) articles += 1;
      items.push({ kind: "zone", id: zone.id, start: zone.u.start, end: zone.u.end, ref: zone,
        article: isArticle ? articles : 0 });
    }
    for (const s of suggestions) items.push({ kind: "suggestion", id: s.id, start: s.u.start, end: s.u.end, ref: s });
    for (const s of spans) items.push({ kind: "span", id: s.id, start: s.u.start, end: s.u.end, ref: s });
    if (draft) items.push({ kind: "draft", id: "draft", start: draft.start, end: draft.end, ref: draft });
    this.segments = buildSegments(this.text.length, items);
    this.firstElement = new Map();
    const fragment = this.root.ownerDocument.createDocumentFragment();
    this.segments.forEach((segment, position) => {
      const piece = this.text.slice(segment.start, segment.end);
      if (!segment.items.length) {
        fragment.append(this.root.ownerDocument.createTextNode(piece));
        return;
      }
      const element = this.root.ownerDocument.createElement("span");
      element.textContent = piece;
      element.dataset.seg = String(position);
      this.decorate(element, segment, selected, articles);
      for (const item of segment.items) {
        const key = `${item.kind}:${item.id}`;
        if (!this.firstElement.has(key)) this.firstElement.set(key, element);
      }
      fragment.append(element);
    });
    this.root.replaceChildren(fragment);
  }

  decorate(element, segment, selected, articles) {
    const classes = ["seg"];
    const tips = [];
    const zone = innermost(segment.items, "zone");
    if (zone) {
      classes.push(`z-${zone.ref.kind}`);
      if (DIMMED.has(zone.ref.kind)) classes.push("dim");
      const starting = segment.items.filter((i) => i.kind === "zone" && i.start === segment.start);
      if (starting.length) {
        const names = starting.map((i) =>
          i.article && articles > 1 ? `Article ${i.article}` : ZONE_NAMES[i.ref.kind] ?? i.ref.kind,
        );
        const shown = names.filter((name) => name && name !== "Article");
        if (shown.length) {
          classes.push("zone-start");
          element.dataset.zone = shown.join(" · ");
        }
        if (starting.some((i) => i.article > 1)) classes.push("article-break");
      }
    }
    const span = innermost(segment.items, "span");
    if (span) {
      const color = this.labelColor(span.ref.label);
      classes.push("mark", `l-${span.ref.label}`);
      element.style.setProperty("--mark-bg", tint(color, 0.22));
      element.style.setProperty("--mark-line", color);
      const spanDepth = depth(segment.items, "span");
      if (spanDepth > 1) {
        classes.push("nested");
        const outer = segment.items.filter((i) => i.kind === "span" && i !== span);
        element.style.setProperty("--outer-line", this.labelColor(outer[0].ref.label));
      }
      for (const item of segment.items) {
        if (item.kind !== "span") continue;
        tips.push(`${this.labelName(item.ref.label)} span${item.ref.source ? ` (source: ${item.ref.source})` : ""}`);
        if (selected && selected.kind === "span" && selected.id === item.id) classes.push("selected");
      }
    }
    const suggestion = innermost(segment.items, "suggestion");
    if (suggestion) {
      const s = suggestion.ref;
      classes.push("sugg");
      element.style.setProperty("--sugg-line", this.labelColor(s.label));
      for (const item of segment.items) {
        if (item.kind !== "suggestion") continue;
        const r = item.ref;
        tips.push(`Suggestion: ${this.labelName(r.label)}: ${r.reason}${r.source_name ? ` (source: ${r.source_name})` : ""}`);
        if (selected && selected.kind === "suggestion" && selected.id === item.id) classes.push("sugg-focus");
      }
    }
    if (segment.items.some((i) => i.kind === "draft")) classes.push("draft");
    element.className = classes.join(" ");
    if (tips.length) element.title = tips.join("\n");
  }

  /** The items under a rendered segment element (from a click). */
  itemsAt(element) {
    const holder = element && element.closest ? element.closest("[data-seg]") : null;
    if (!holder || !this.root.contains(holder)) return [];
    return this.segments[Number(holder.dataset.seg)].items;
  }

  /** Scroll the first piece of an item into view. */
  reveal(kind, id) {
    const element = this.firstElement.get(`${kind}:${id}`);
    if (element) element.scrollIntoView({ block: "center", behavior: "instant" });
  }
}
