// The dispute workspace: each reviewer's version over the same text, and the lead's verdict,
// sent to POST /disputes/{id}/resolve. Text goes in as text only (textContent, text nodes).

import { request } from "./api.js";
import { OffsetIndex, snapRange } from "./offsets.js";
import { clearSelection, selectionOffsets } from "./selection.js";
import { TextView, tint } from "./textview.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("dispute-data").textContent);
const API = data.urls.api;
const labels = new Map(data.project.labels.map((label) => [label.value, label]));
let dispute = data.dispute;

// The text the page knows: the dispute with some context either side, in code points from
// `context_start` on the server's side.
const windowText = dispute.context_before + dispute.quote + dispute.context_after;
const index = new OffsetIndex(windowText);
const base = dispute.context_start;
const windowEnd = base + index.codePointLength;
const toUnits = (point) => index.toUtf16(Math.max(0, Math.min(point - base, index.codePointLength)));
const inUnits = (item) => ({ ...item, u: { start: toUnits(item.start), end: toUnits(item.end) } });
const disputeZone = { id: "dispute", kind: "dispute", ...inUnits({ start: dispute.start, end: dispute.end }) };

function labelName(value) {
  return labels.has(value) ? labels.get(value).name : value || "no label";
}

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function evidenceList(evidence) {
  const list = element("ul", null, "evidence-list");
  for (const link of evidence) {
    const item = element("li");
    item.append(element("span", link.stance, `stance ${link.stance}`), " ");
    const href = safeHref(link.url);
    const anchor = element(href ? "a" : "span", link.title || link.url);
    if (href) {
      anchor.href = href;
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
    }
    item.append(anchor);
    if (link.quoted_passage) item.append(" ", element("q", link.quoted_passage));
    item.append(element("span", ` (${link.added_by})`, "quiet"));
    list.append(item);
  }
  return list;
}

function drawVersions() {
  const holder = $("versions");
  holder.replaceChildren();
  dispute.versions.forEach((version, position) => {
    const column = element("article", null, "version");
    column.setAttribute("aria-label", `Version of ${version.reviewer}`);
    column.append(element("h3", version.reviewer));
    const text = element("div", null, "doc-text context");
    column.append(text);
    new TextView(text, windowText, labels).render({
      zones: [disputeZone],
      suggestions: [],
      spans: version.spans.map(inUnits),
      draft: null,
      selected: null,
    });
    if (!version.spans.length) {
      column.append(
        element("p", version.nothing_to_mark ? "Submitted with nothing to mark." : "Marked nothing here.", "quiet"),
      );
    }
    for (const span of version.spans) {
      const facts = element("dl", null, "facts");
      const add = (term, value) => facts.append(element("dt", term), element("dd", value || "—"));
      add("Label", labelName(span.label));
      add("Text", span.quote);
      add("Source", span.source);
      add("Note", span.note);
      column.append(facts);
      if (span.evidence.length) column.append(evidenceList(span.evidence));
    }
    const choose = element("button", `Use ${version.reviewer}'s version`);
    choose.type = "button";
    choose.dataset.version = String(position);
    choose.addEventListener("click", () => useVersion(version));
    column.append(choose);
    holder.append(column);
  });
}

function drawSuggestions() {
  const list = $("suggestions");
  list.replaceChildren(
    ...dispute.suggestions.map((s) =>
      element(
        "li",
        `${labelName(s.label)}: “${windowText.slice(toUnits(s.start), toUnits(s.end))}” — ${s.reason}` +
          `${s.source_name ? ` (source: ${s.source_name})` : ""} · ${s.engine} ${s.engine_version}`,
      ),
    ),
  );
  $("suggestions-section").hidden = dispute.suggestions.length === 0;
}

function drawHistory() {
  const list = $("history");
  const rows = dispute.resolutions.map((r) => {
    const what = r.no_span ? "no span" : `${labelName(r.label)} ${r.start}–${r.end}${r.source ? `, source ${r.source}` : ""}`;
    return element(
      "li",
      `${r.created_at ? r.created_at.slice(0, 16).replace("T", " ") : ""} ${r.lead}: ${what}` +
        `${r.rating ? `, rated ${r.rating}` : ""}. “${r.rationale}”`,
    );
  });
  if (!rows.length) rows.push(element("li", "None yet.", "quiet"));
  list.replaceChildren(...rows);
  $("dispute-kind").textContent = `${dispute.kind} dispute`;
  $("dispute-status").textContent = dispute.status;
}

// --- The verdict form ----------------------------------------------------------------------

const form = $("verdict-form");
const finalView = new TextView($("final-text"), windowText, labels);

function finalRange() {
  const start = Number.parseInt(form.elements.start.value, 10);
  const end = Number.parseInt(form.elements.end.value, 10);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start >= end) return null;
  if (start < base || end > windowEnd) return null;
  return { start, end };
}

function drawFinal() {
  const noSpan = form.elements.no_span.checked;
  for (const name of ["start", "end", "label", "source", "rating"]) form.elements[name].disabled = noSpan;
  const range = noSpan ? null : finalRange();
  const label = form.elements.label.value;
  finalView.render({
    zones: [disputeZone],
    suggestions: [],
    spans: range ? [{ id: "final", label, source: form.elements.source.value, ...inUnits(range) }] : [],
    draft: null,
    selected: null,
  });
  $("final-quote").textContent = range ? windowText.slice(toUnits(range.start), toUnits(range.end)) : noSpan ? "(none)" : "(choose a span)";
}

function useVersion(version) {
  const span = version.spans[0];
  form.elements.no_span.checked = !span;
  if (span) {
    form.elements.start.value = span.start;
    form.elements.end.value = span.end;
    form.elements.label.value = span.label;
    form.elements.source.value = span.source;
  }
  drawFinal();
  $("verdict-state").textContent = `${version.reviewer}'s version chosen; edit it or write the rationale.`;
  form.elements.rationale.focus();
}

$("final-text").addEventListener("mouseup", (event) => {
  const range = selectionOffsets($("final-text"));
  if (!range) return;
  const snapped = snapRange(windowText, range.start, range.end, { wholeWords: !event.altKey });
  clearSelection($("final-text"));
  if (!snapped) return;
  form.elements.no_span.checked = false;
  form.elements.start.value = base + index.toCodePoint(snapped.start);
  form.elements.end.value = base + index.toCodePoint(snapped.end);
  drawFinal();
});

for (const name of ["no_span", "start", "end", "label", "source"]) {
  form.elements[name].addEventListener("input", drawFinal);
  form.elements[name].addEventListener("change", drawFinal);
}

function showError(message) {
  $("verdict-error").textContent = message;
  $("verdict-error").hidden = !message;
}

async function resolve() {
  const noSpan = form.elements.no_span.checked;
  const body = {
    no_span: noSpan,
    rationale: form.elements.rationale.value.trim(),
    rating: noSpan ? "" : form.elements.rating.value,
    version: dispute.version,
  };
  if (!noSpan) {
    const range = finalRange();
    if (!range) return showError("Choose the final span (a version, a selection, or start and end), or tick “No span here”.");
    if (!form.elements.label.value) {
      form.elements.label.focus();
      return showError("Choose the final label, or tick “No span here”.");
    }
    Object.assign(body, { start: range.start, end: range.end, label: form.elements.label.value, source: form.elements.source.value });
  }
  if (!body.rationale) {
    form.elements.rationale.focus();
    return showError("Write the rationale: why this is the verdict.");
  }
  showError("");
  $("verdict-state").textContent = "Saving…";
  try {
    await request("POST", `${API}disputes/${dispute.id}/resolve`, body);
    $("verdict-state").textContent = "Saved. Opening the next dispute…";
    window.location.assign(data.urls.next);
  } catch (error) {
    $("verdict-state").textContent = "Not saved.";
    if (error.status === 409) {
      // Someone decided meanwhile: show what stands now; the form keeps what was typed.
      try {
        dispute = await request("GET", `${API}disputes/${dispute.id}`);
        drawHistory();
      } catch {
        // The message below still explains; a reload shows the rest.
      }
      showError(`${error.message} The decisions below are current; your verdict is kept: resolve again to supersede them.`);
    } else {
      const fields = Object.entries(error.fields || {}).map(([name, reasons]) => `${name}: ${[].concat(reasons).join(" ")}`);
      showError(fields.length ? fields.join(" ") : error.message);
    }
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  resolve();
});
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    resolve();
  }
});

// --- Start ---------------------------------------------------------------------------------

const chooseLabel = element("option", "Choose a label");
chooseLabel.value = "";
form.elements.label.append(chooseLabel);
for (const label of data.project.labels) {
  const option = element("option", `${label.name}${label.hotkey ? ` (${label.hotkey})` : ""}`);
  option.value = label.value;
  form.elements.label.append(option);
  const chip = element("span", label.name, "legend-chip");
  const swatch = element("span", null, "swatch");
  swatch.style.setProperty("--swatch", label.color);
  swatch.style.setProperty("--swatch-bg", tint(label.color, 0.22));
  chip.prepend(swatch, " ");
  $("legend").append(chip);
}
for (const rating of data.ratings) {
  const option = element("option", rating.name);
  option.value = rating.value;
  form.elements.rating.append(option);
}
drawVersions();
drawSuggestions();
drawHistory();
const latest = dispute.resolutions.at(-1);
if (latest && !latest.no_span) {
  Object.assign(form.elements.start, { value: latest.start });
  Object.assign(form.elements.end, { value: latest.end });
  form.elements.label.value = latest.label;
  form.elements.source.value = latest.source;
  form.elements.rating.value = latest.rating;
} else {
  form.elements.start.value = dispute.start;
  form.elements.end.value = dispute.end;
}
drawFinal();
$("dispute-page").dataset.state = "ready";
