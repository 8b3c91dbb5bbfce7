// The review workspace: wires the text view, the side panel, the keys and the save queue to
// the REST API. Every change is sent at once; see saver.js for saved / saving / failed.

import { ApiError, request } from "./api.js";
import {
  OffsetIndex,
  nextWordEnd,
  nextWordStart,
  previousWordEnd,
  previousWordStart,
  snapRange,
  wordAt,
} from "./offsets.js";
import { Saver } from "./saver.js";
import { clearSelection, selectionOffsets } from "./selection.js";
import { TextView, tint } from "./textview.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("workspace-data").textContent);
const assignment = data.assignment;
const documentData = assignment.document;
const text = documentData.text;
const index = new OffsetIndex(text);
const API = data.urls.api;
const editable = data.editable;
const labels = new Map(data.project.labels.map((label) => [label.value, label]));
const labelByKey = new Map(data.project.labels.filter((l) => l.hotkey).map((l) => [l.hotkey, l]));
const REJECTED_KEY = `factcheck.rejected.${assignment.id}`;

const withUnits = (item) => ({ ...item, u: { start: index.toUtf16(item.start), end: index.toUtf16(item.end) } });

const state = {
  spans: new Map(assignment.spans.map((span) => [span.id, withUnits(span)])),
  suggestions: documentData.suggestions.map(withUnits),
  zones: documentData.zones.map(withUnits),
  rejected: new Set(loadRejected()),
  accepting: new Set(), // suggestions whose span is being saved
  selected: null, // {kind: "span"|"suggestion", id} or {kind: "draft", start, end}
  caret: 0, // where "next word" starts (UTF-16)
  typed: new Map(), // span id -> {source, note} typed and not yet saved
};

function loadRejected() {
  try {
    return JSON.parse(window.localStorage.getItem(REJECTED_KEY) || "[]");
  } catch {
    return [];
  }
}

function saveRejected() {
  try {
    window.localStorage.setItem(REJECTED_KEY, JSON.stringify([...state.rejected]));
  } catch {
    // Private mode or full storage: rejections then last as long as the page.
  }
}

// --- What is shown -------------------------------------------------------------------------

function acceptedSuggestions() {
  const accepted = new Set();
  for (const span of state.spans.values()) if (span.suggestion) accepted.add(span.suggestion);
  return accepted;
}

function openSuggestions() {
  const accepted = acceptedSuggestions();
  return state.suggestions.filter(
    (s) => !accepted.has(s.id) && !state.rejected.has(s.id) && !state.accepting.has(s.id),
  );
}

function sortedSpans() {
  return [...state.spans.values()].sort((a, b) => a.start - b.start || a.end - b.end || a.id - b.id);
}

const view = new TextView($("doc-text"), text, labels);

// While the mouse button is down in the text, redrawing it would drop the selection being made
// (a save landing mid-drag); the redraw waits for the button to come up.
const pointer = { down: false, drawPending: false };

function draw({ reveal = false } = {}) {
  if (pointer.down) {
    pointer.drawPending = true;
    drawPanel();
    return;
  }
  const selected = state.selected;
  view.render({
    zones: state.zones,
    suggestions: openSuggestions(),
    spans: sortedSpans(),
    draft: selected && selected.kind === "draft" ? selected : null,
    selected,
  });
  if (reveal && selected) view.reveal(selected.kind, selected.kind === "draft" ? "draft" : selected.id);
  drawPanel();
}

function quoteOf(start, end) {
  const quote = text.slice(start, end);
  return quote.length > 400 ? `${quote.slice(0, 200)} … ${quote.slice(-200)}` : quote;
}

function position(item) {
  return `${item.start}–${item.end}`;
}

function showSection(name) {
  for (const id of ["panel-empty", "panel-draft", "panel-suggestion", "panel-span"]) {
    $(id).hidden = id !== name;
  }
}

function drawPanel() {
  const selected = state.selected;
  if (!selected) {
    showSection("panel-empty");
    const open = openSuggestions().length;
    $("counts").textContent =
      `${state.spans.size} span${state.spans.size === 1 ? "" : "s"} marked · ` +
      `${open} suggestion${open === 1 ? "" : "s"} left · ${state.rejected.size} rejected`;
    return;
  }
  if (selected.kind === "draft") {
    showSection("panel-draft");
    $("draft-quote").textContent = quoteOf(selected.start, selected.end);
    return;
  }
  if (selected.kind === "suggestion") {
    const s = state.suggestions.find((item) => item.id === selected.id);
    showSection("panel-suggestion");
    const open = openSuggestions();
    $("sugg-position").textContent = `${open.indexOf(s) + 1} of ${open.length}`;
    $("sugg-quote").textContent = quoteOf(s.u.start, s.u.end);
    $("sugg-label").textContent = labels.get(s.label) ? labels.get(s.label).name : s.label;
    $("sugg-reason").textContent = s.reason;
    $("sugg-source").textContent = s.source_name || "—";
    $("sugg-confidence").textContent = `${Math.round(s.confidence * 100)}%`;
    $("sugg-engine").textContent = `${s.engine} ${s.engine_version}`;
    return;
  }
  const span = state.spans.get(selected.id);
  showSection("panel-span");
  $("span-position").textContent = `${labels.get(span.label) ? labels.get(span.label).name : span.label}, ${position(span)}`;
  $("span-quote").textContent = quoteOf(span.u.start, span.u.end);
  for (const button of document.querySelectorAll('#panel-span .label-buttons button')) {
    button.setAttribute("aria-pressed", String(button.dataset.label === span.label));
  }
  const typed = state.typed.get(span.id) || {};
  for (const field of ["source", "note"]) {
    const input = $(`span-${field}`);
    const value = field in typed ? typed[field] : span[field];
    if (document.activeElement !== input || input.dataset.span !== String(span.id)) input.value = value;
    input.dataset.span = String(span.id);
    input.disabled = !editable;
  }
  drawOthersHere(span);
  drawEvidence(span);
}

function drawOthersHere(span) {
  const others = sortedSpans().filter(
    (other) => other.id !== span.id && other.u.start < span.u.end && other.u.end > span.u.start,
  );
  $("span-also").hidden = others.length === 0;
  const list = $("span-also-list");
  list.replaceChildren(
    ...others.map((other) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "linkish";
      button.textContent = `${labels.get(other.label) ? labels.get(other.label).name : other.label}: “${quoteOf(other.u.start, other.u.end).slice(0, 60)}”`;
      button.addEventListener("click", () => select({ kind: "span", id: other.id }));
      item.append(button);
      return item;
    }),
  );
}

function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function drawEvidence(span) {
  const list = $("evidence-list");
  const items = (span.evidence || []).map((link) => {
    const item = document.createElement("li");
    const stance = document.createElement("span");
    stance.className = `stance ${link.stance}`;
    stance.textContent = link.stance;
    item.append(stance, " ");
    const href = safeHref(link.url);
    const anchor = document.createElement(href ? "a" : "span");
    if (href) {
      anchor.href = href;
      anchor.target = "_blank";
      anchor.rel = "noopener noreferrer";
    }
    anchor.textContent = link.title || link.url;
    item.append(anchor);
    if (link.quoted_passage) {
      const passage = document.createElement("q");
      passage.textContent = link.quoted_passage;
      item.append(" ", passage);
    }
    if (editable) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "linkish";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", `Remove evidence ${link.title || link.url}`);
      remove.addEventListener("click", () => removeEvidence(span, link));
      item.append(" ", remove);
    }
    return item;
  });
  if (!items.length) {
    const none = document.createElement("li");
    none.className = "quiet";
    none.textContent = "No evidence yet.";
    items.push(none);
  }
  list.replaceChildren(...items);
  $("evidence-form").hidden = !editable;
  $("span-delete").hidden = !editable;
}

function select(selection, { reveal = true } = {}) {
  state.selected = selection;
  if (selection && selection.kind !== "draft") {
    const item = selection.kind === "span" ? state.spans.get(selection.id) : state.suggestions.find((s) => s.id === selection.id);
    if (item) state.caret = item.u.end;
  } else if (selection) {
    state.caret = selection.end;
  }
  draw({ reveal });
}

// --- Saving --------------------------------------------------------------------------------

const saveState = $("save-state");
const conflictBox = $("conflict");

const saver = new Saver({
  version: assignment.version,
  onState: ({ status, error, refused }) => {
    saveState.dataset.status = status;
    if (status === "saving") saveState.textContent = "Saving…";
    else if (status === "saved") saveState.textContent = refused ? `Not saved: ${refused.message}` : "All changes saved";
    else saveState.textContent = "Not saved: see the message below the toolbar";
    if (status === "failed") explainFailure(error);
    else conflictBox.hidden = true;
  },
  onConflict: (error) => adoptServerState(error.current),
});

/** Take the server's spans (after a 409) while keeping evidence we know of and what was typed. */
function adoptServerState(current) {
  if (!current || !Array.isArray(current.spans)) return;
  const known = state.spans;
  state.spans = new Map(
    current.spans.map((span) => [span.id, withUnits({ ...span, evidence: known.has(span.id) ? known.get(span.id).evidence : [] })]),
  );
  if (state.selected && state.selected.kind === "span" && !state.spans.has(state.selected.id)) state.selected = null;
  draw();
}

function explainFailure(error) {
  const job = error.job ? `“${error.job}”` : "your change";
  let message;
  $("reclaim").hidden = true;
  $("retry").hidden = false;
  if (error.code === "stale_version") {
    message =
      `This review was changed somewhere else (another tab or window?) and is now at version ${saver.version}. ` +
      `The spans shown are now what the server holds. ${job} is kept, with anything you typed: ` +
      "Retry applies it to the current version, or discard it.";
  } else if (error.code === "lease_expired" || (error.current && error.current.state === "expired")) {
    message =
      `Your hold on this document ran out after a while without changes. Your spans are kept, and so is ${job}. ` +
      "Take the document back (if its place is still free) to save it.";
    $("reclaim").hidden = false;
    $("retry").hidden = true;
  } else if (error.status === 409) {
    message = `${error.message} Nothing more can be saved on this review; go back to your projects.`;
    $("retry").hidden = true;
  } else if (error.status === 0) {
    message = `The server could not be reached. ${job} is kept; Retry when you are back online.`;
  } else {
    message = `The server could not save ${job}: ${error.message}`;
  }
  $("conflict-message").textContent = message;
  conflictBox.hidden = false;
}

$("retry").addEventListener("click", () => saver.retry());
$("discard").addEventListener("click", () => {
  state.typed.clear();
  saver.discard();
  draw();
});
$("reclaim").addEventListener("click", async () => {
  try {
    const claimed = await request("POST", `${API}projects/${data.project.id}/queue/next`);
    if (claimed && claimed.id === assignment.id) {
      saver.version = claimed.version;
      adoptServerState({ spans: claimed.spans });
      saver.retry();
    } else {
      $("conflict-message").textContent =
        "The document went to another reviewer meanwhile; this review cannot be saved any more. " +
        "Go back to your projects to continue with another document.";
    }
  } catch (error) {
    $("conflict-message").textContent = `Could not take the document back: ${error.message}`;
  }
});

function spanUrl(id) {
  return `${API}spans/${id}`;
}

function createSpan({ start, end, label, suggestion = null, selectAfter = true }) {
  if (!editable) return;
  const body = {
    start: index.toCodePoint(start),
    end: index.toCodePoint(end),
    label,
    quote: text.slice(start, end),
  };
  if (suggestion) {
    state.accepting.add(suggestion.id);
    body.suggestion = suggestion.id;
    if (suggestion.source_name && suggestion.label === label) body.source = suggestion.source_name;
  }
  saver
    .enqueue(`mark “${quoteOf(start, end).slice(0, 40)}” as ${labels.get(label).name}`, (version) =>
      request("POST", `${API}assignments/${assignment.id}/spans`, { ...body, version }),
    )
    .then((span) => {
      state.spans.set(span.id, withUnits(span));
      if (suggestion) state.accepting.delete(suggestion.id);
      if (selectAfter) select({ kind: "span", id: span.id }, { reveal: false });
      else draw();
    })
    .catch((error) => {
      if (suggestion) state.accepting.delete(suggestion.id);
      refusedOrDiscarded(error);
    });
}

function updateSpan(span, changes, what) {
  if (!editable) return;
  return saver
    .enqueue(what, (version) => {
      const current = state.spans.get(span.id);
      if (!current) throw new ApiError(404, { message: "That span was deleted meanwhile." });
      const body = typeof changes === "function" ? changes(current) : changes;
      return request("PATCH", spanUrl(span.id), { ...body, version });
    })
    .then((updated) => {
      const known = state.spans.get(updated.id);
      state.spans.set(updated.id, withUnits({ ...updated, evidence: updated.evidence || (known && known.evidence) || [] }));
      draw();
      return updated;
    })
    .catch(refusedOrDiscarded);
}

function deleteSpan(span) {
  if (!editable) return;
  saver
    .enqueue(`delete the ${labels.get(span.label) ? labels.get(span.label).name : span.label} span`, (version) =>
      request("DELETE", `${spanUrl(span.id)}?version=${version}`),
    )
    .then(() => {
      state.spans.delete(span.id);
      state.typed.delete(span.id);
      if (state.selected && state.selected.kind === "span" && state.selected.id === span.id) state.selected = null;
      draw();
      $("doc-text").focus();
    })
    .catch(refusedOrDiscarded);
}

function refusedOrDiscarded(error) {
  if (error && error.status && error.status !== 409) {
    saveState.textContent = `Not saved: ${error.message}`;
    saveState.dataset.status = "refused";
  }
  draw();
}

// Source and note: saved shortly after typing stops, and at once when the field is left. What
// was typed stays in `state.typed` until the server has it, so a 409 never loses it.
const typingTimers = new Map();

function typedInto(field) {
  const input = $(`span-${field}`);
  const id = Number(input.dataset.span);
  if (!id || !editable) return;
  const typed = state.typed.get(id) || {};
  typed[field] = input.value;
  state.typed.set(id, typed);
  window.clearTimeout(typingTimers.get(field));
  typingTimers.set(field, window.setTimeout(() => flushTyped(id, field), 700));
}

function flushTyped(id, field) {
  window.clearTimeout(typingTimers.get(field));
  const typed = state.typed.get(id);
  if (!typed || !(field in typed) || typed[`${field}Queued`]) return;
  typed[`${field}Queued`] = true;
  const span = state.spans.get(id);
  if (!span) return;
  updateSpan(span, () => ({ [field]: state.typed.get(id)[field] }), `the ${field} of a span`).then((updated) => {
    const now = state.typed.get(id);
    if (!now) return;
    delete now[`${field}Queued`];
    if (updated && now[field] === updated[field]) delete now[field];
    else if (updated) flushTyped(id, field);
  });
}

for (const field of ["source", "note"]) {
  const input = $(`span-${field}`);
  input.addEventListener("input", () => typedInto(field));
  input.addEventListener("blur", () => {
    const id = Number(input.dataset.span);
    if (id) flushTyped(id, field);
  });
}

// Evidence.
$("evidence-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const selected = state.selected;
  if (!selected || selected.kind !== "span" || !editable) return;
  const span = state.spans.get(selected.id);
  const form = event.currentTarget;
  const body = {
    url: form.elements.url.value.trim(),
    stance: form.elements.stance.value,
    title: form.elements.title.value,
    quoted_passage: form.elements.quoted_passage.value,
  };
  const error = $("ev-error");
  if (!safeHref(body.url)) {
    error.textContent = "Give an http:// or https:// address.";
    error.hidden = false;
    form.elements.url.focus();
    return;
  }
  error.hidden = true;
  saver
    .enqueue("add evidence", (version) => request("POST", `${spanUrl(span.id)}/evidence`, { ...body, version }))
    .then((link) => {
      const current = state.spans.get(span.id);
      if (current) current.evidence = [...(current.evidence || []), link];
      form.reset();
      draw();
    })
    .catch((failure) => {
      if (failure && failure.fields) {
        error.textContent = Object.entries(failure.fields)
          .map(([name, reasons]) => `${name}: ${[].concat(reasons).join(" ")}`)
          .join(" ");
        error.hidden = false;
      }
      refusedOrDiscarded(failure);
    });
});

function removeEvidence(span, link) {
  saver
    .enqueue("remove evidence", (version) => request("DELETE", `${API}evidence/${link.id}?version=${version}`))
    .then(() => {
      const current = state.spans.get(span.id);
      if (current) current.evidence = current.evidence.filter((item) => item.id !== link.id);
      draw();
    })
    .catch(refusedOrDiscarded);
}

// --- Actions -------------------------------------------------------------------------------

function applyLabel(value) {
  const selected = state.selected;
  if (!editable || !labels.has(value)) return;
  if (!selected) {
    saveState.textContent = "Select some text first (or press w for the next word).";
    return;
  }
  if (selected.kind === "draft") {
    createSpan({ start: selected.start, end: selected.end, label: value });
    state.selected = null;
    draw();
  } else if (selected.kind === "suggestion") {
    acceptSuggestion(value);
  } else if (selected.kind === "span") {
    const span = state.spans.get(selected.id);
    if (span.label !== value) updateSpan(span, { label: value }, `relabel a span as ${labels.get(value).name}`);
  }
}

function focusedSuggestion() {
  const selected = state.selected;
  return selected && selected.kind === "suggestion" ? state.suggestions.find((s) => s.id === selected.id) : null;
}

function acceptSuggestion(label) {
  const suggestion = focusedSuggestion();
  if (!suggestion || !editable) return;
  const next = neighbourSuggestion(1);
  createSpan({
    start: suggestion.u.start,
    end: suggestion.u.end,
    label: label || suggestion.label,
    suggestion,
    selectAfter: false,
  });
  // The suggestion now counts as accepted; move on to the next one at once.
  state.selected = next ? { kind: "suggestion", id: next.id } : null;
  draw({ reveal: true });
}

function rejectSuggestion() {
  const suggestion = focusedSuggestion();
  if (!suggestion) return;
  const next = neighbourSuggestion(1);
  state.rejected.add(suggestion.id);
  saveRejected();
  select(next ? { kind: "suggestion", id: next.id } : null);
}

function neighbourSuggestion(step) {
  const open = openSuggestions().filter((s) => !(state.selected && state.selected.kind === "suggestion" && s.id === state.selected.id));
  if (!open.length) return null;
  const caret = state.caret;
  if (step > 0) return open.find((s) => s.u.start >= caret) || open.find((s) => s.u.end > caret) || null;
  const before = open.filter((s) => s.u.end <= (focusedSuggestion() ? focusedSuggestion().u.start : caret) || s.u.start < caret);
  return before.length ? before.at(-1) : null;
}

function moveSuggestion(step) {
  const current = focusedSuggestion();
  const open = openSuggestions();
  if (!open.length) {
    saveState.textContent = "No suggestions left.";
    return;
  }
  let target;
  if (current) {
    const at = open.indexOf(current);
    target = open[Math.min(open.length - 1, Math.max(0, at + step))];
  } else {
    target = neighbourSuggestion(step) || (step > 0 ? open[0] : open.at(-1));
  }
  select({ kind: "suggestion", id: target.id });
}

function moveSpan(step) {
  const spans = sortedSpans();
  if (!spans.length) return;
  const selected = state.selected;
  let at = selected && selected.kind === "span" ? spans.findIndex((s) => s.id === selected.id) : -1;
  at = at < 0 ? (step > 0 ? 0 : spans.length - 1) : Math.min(spans.length - 1, Math.max(0, at + step));
  select({ kind: "span", id: spans[at].id });
}

function nextWord() {
  const word = wordAt(text, state.caret);
  if (word) select({ kind: "draft", start: word.start, end: word.end });
}

function resized(range, edge, step) {
  let { start, end } = range;
  if (edge === "end") end = step > 0 ? nextWordEnd(text, end) : previousWordEnd(text, end);
  else start = step > 0 ? nextWordStart(text, start) : previousWordStart(text, start);
  if (start >= end) return null;
  return snapRange(text, start, end);
}

function resize(edge, step) {
  const selected = state.selected;
  if (!selected || !editable) return;
  if (selected.kind === "draft") {
    const range = resized(selected, edge, step);
    if (range) select({ kind: "draft", ...range });
  } else if (selected.kind === "span") {
    const span = state.spans.get(selected.id);
    const range = resized(span.u, edge, step);
    if (!range) return;
    updateSpan(
      span,
      {
        start: index.toCodePoint(range.start),
        end: index.toCodePoint(range.end),
        quote: text.slice(range.start, range.end),
      },
      "resize a span",
    );
  }
}

function finish(nothingToMark) {
  if (!editable) return;
  if (!nothingToMark && state.spans.size === 0) {
    saveState.textContent = "No spans yet: mark something, or use “Nothing to mark”.";
    $("nothing").focus();
    return;
  }
  if (nothingToMark && state.spans.size > 0) {
    saveState.textContent = "You have marked spans: delete them first, or Submit.";
    return;
  }
  saver
    .enqueue("submit the review", (version) =>
      request("POST", `${API}assignments/${assignment.id}/submit`, { version, nothing_to_mark: nothingToMark }),
    )
    .then(() => goNext())
    .catch(refusedOrDiscarded);
}

function skip() {
  if (!editable) return;
  saver
    .enqueue("skip this document", (version) => request("POST", `${API}assignments/${assignment.id}/release`, { version }))
    .then(() => goNext())
    .catch(refusedOrDiscarded);
}

function goNext() {
  document.body.dataset.leaving = "true";
  $("next-form").submit();
}

// --- Mouse ---------------------------------------------------------------------------------

const textElement = $("doc-text");

textElement.addEventListener("mousedown", (event) => {
  if (event.button === 0) pointer.down = true;
});

textElement.addEventListener("mouseup", (event) => {
  pointer.down = false;
  pointer.drawPending = false;
  const range = selectionOffsets(textElement);
  if (range) {
    const snapped = snapRange(text, range.start, range.end, { wholeWords: !event.altKey });
    clearSelection(textElement);
    if (snapped && editable) select({ kind: "draft", ...snapped }, { reveal: false });
    else draw();
    return;
  }
  clickedAt(view.itemsAt(event.target));
});

// A drag that ends outside the text: draw what waited for the button to come up.
document.addEventListener("mouseup", () => {
  if (!pointer.down) return;
  pointer.down = false;
  if (pointer.drawPending) {
    pointer.drawPending = false;
    draw();
  }
});

function clickedAt(items) {
  const spans = items.filter((item) => item.kind === "span").sort((a, b) => a.end - a.start - (b.end - b.start));
  if (spans.length) {
    // A second click on the same place selects the next span out (nested spans).
    const selected = state.selected;
    const at = selected && selected.kind === "span" ? spans.findIndex((s) => s.id === selected.id) : -1;
    select({ kind: "span", id: spans[(at + 1) % spans.length].id }, { reveal: false });
    return;
  }
  const suggestion = items.find((item) => item.kind === "suggestion");
  if (suggestion) select({ kind: "suggestion", id: suggestion.id }, { reveal: false });
  else if (state.selected) select(null, { reveal: false });
  else draw();
}

// --- Keys ----------------------------------------------------------------------------------

const help = $("help");

function openHelp() {
  help.hidden = false;
  help.dataset.returnFocus = document.activeElement && document.activeElement.id ? document.activeElement.id : "doc-text";
  $("help-close").focus();
}

function closeHelp() {
  help.hidden = true;
  const back = $(help.dataset.returnFocus || "doc-text") || textElement;
  back.focus();
}

$("help-open").addEventListener("click", openHelp);
$("help-close").addEventListener("click", closeHelp);

function inField(target) {
  return target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

document.addEventListener("keydown", (event) => {
  if (!help.hidden) {
    if (event.key === "Escape" || event.key === "?") {
      event.preventDefault();
      closeHelp();
    } else if (event.key === "Tab") {
      event.preventDefault();
      $("help-close").focus();
    }
    return;
  }
  if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
    event.preventDefault();
    finish(false);
    return;
  }
  if (inField(event.target)) {
    if (event.key === "Escape") {
      event.target.blur();
      textElement.focus();
    }
    return;
  }
  if (event.ctrlKey || event.metaKey) return;
  const onButton = event.target && ["BUTTON", "A"].includes(event.target.tagName);
  const key = event.key;
  if (key === "ArrowRight" || key === "ArrowLeft") {
    if (!event.shiftKey && !event.altKey) return;
    event.preventDefault();
    resize(event.altKey ? "start" : "end", key === "ArrowRight" ? 1 : -1);
    return;
  }
  if (event.altKey) return;
  const actions = {
    "?": openHelp,
    n: () => moveSuggestion(1),
    p: () => moveSuggestion(-1),
    j: () => moveSpan(1),
    k: () => moveSpan(-1),
    a: () => acceptSuggestion(null),
    x: rejectSuggestion,
    w: nextWord,
    e: () => {
      if (state.selected && state.selected.kind === "span" && editable) $("span-source").focus();
    },
    Escape: () => select(null, { reveal: false }),
    Delete: () => {
      if (state.selected && state.selected.kind === "span") deleteSpan(state.spans.get(state.selected.id));
    },
  };
  actions.Backspace = actions.Delete;
  if (!onButton) actions.Enter = () => acceptSuggestion(null);
  if (labelByKey.has(key)) {
    event.preventDefault();
    applyLabel(labelByKey.get(key).value);
  } else if (key in actions) {
    event.preventDefault();
    actions[key]();
  }
});

// --- Buttons -------------------------------------------------------------------------------

function labelButton(label) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "label-button";
  button.dataset.label = label.value;
  const swatch = document.createElement("span");
  swatch.className = "swatch";
  swatch.setAttribute("aria-hidden", "true");
  swatch.style.setProperty("--swatch", label.color);
  swatch.style.setProperty("--swatch-bg", tint(label.color, 0.22));
  const name = document.createElement("span");
  name.textContent = label.name;
  button.append(swatch, name);
  if (label.hotkey) {
    const key = document.createElement("kbd");
    key.textContent = label.hotkey;
    button.append(" ", key);
  }
  button.title = label.description || label.name;
  button.disabled = !editable;
  button.addEventListener("click", () => applyLabel(label.value));
  return button;
}

$("legend").replaceChildren(...data.project.labels.map(labelButton));
for (const holder of document.querySelectorAll(".label-buttons")) {
  holder.replaceChildren(...data.project.labels.map(labelButton));
}
for (const button of document.querySelectorAll("[data-resize]")) {
  const [edge, step] = button.dataset.resize.split(":");
  button.disabled = !editable;
  button.addEventListener("click", () => resize(edge, Number(step)));
}
$("sugg-accept").addEventListener("click", () => acceptSuggestion(null));
$("sugg-reject").addEventListener("click", rejectSuggestion);
$("span-delete").addEventListener("click", () => {
  if (state.selected && state.selected.kind === "span") deleteSpan(state.spans.get(state.selected.id));
});
$("sugg-accept").disabled = !editable;
if (editable) {
  $("submit").addEventListener("click", () => finish(false));
  $("nothing").addEventListener("click", () => finish(true));
  $("skip").addEventListener("click", skip);
}

window.addEventListener("beforeunload", (event) => {
  if (saver.status !== "saved" && !document.body.dataset.leaving) {
    event.preventDefault();
    event.returnValue = "";
  }
});

draw();
saveState.dataset.status = "saved";
saveState.textContent = editable ? "All changes saved" : "Read only";
$("workspace").dataset.state = "ready";
// The benchmark (bench/web.py) reads how long after navigation the workspace became usable.
performance.mark("factcheck:workspace-ready");
