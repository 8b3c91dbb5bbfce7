"""Spans on one's own open assignment: offsets, quotes and labels checked against the document."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from annotations import clock
from annotations.exceptions import InvalidInput, NotFound, quoted
from annotations.models import Assignment, Label, Project, Span, Suggestion
from annotations.services.audit import audit_record, audit_record_each
from annotations.services.review.open_work import lock_open_assignment, touch

QUOTE_CONTEXT_CHARS = 32
SOURCE_MAX_CHARS = 300


def _checked_offsets(text: str, *, start: Any, end: Any, quote: str | None) -> tuple[int, int, str]:
    errors: dict[str, list[str]] = {}
    if not isinstance(start, int) or isinstance(start, bool) or start < 0:
        errors["start"] = ["Must be a whole number of code points, 0 or more."]
    if not isinstance(end, int) or isinstance(end, bool) or end < 0:
        errors["end"] = ["Must be a whole number of code points, 0 or more."]
    if errors:
        raise InvalidInput(_first(errors), fields=errors)
    if start > len(text):
        errors["start"] = [f"Out of range: the text has {len(text)} code points."]
    elif end > len(text):
        errors["end"] = [f"Out of range: the text has {len(text)} code points."]
    elif end == start:
        errors["end"] = ["The span is empty: end must be greater than start."]
    elif end < start:
        errors["end"] = ["The span is inverted: end must be greater than start."]
    if errors:
        raise InvalidInput(_first(errors), fields=errors)
    actual = text[start:end]
    if quote is not None and quote != actual:
        raise InvalidInput(
            "quote: Does not match the text at these offsets.",
            fields={
                "quote": [f"Does not match the text at [{start}:{end}], which is {quoted(actual)}."]
            },
        )
    return start, end, actual


def _first(errors: Mapping[str, list[str]]) -> str:
    name, reasons = next(iter(errors.items()))
    return f"{name}: {reasons[0]}"


def _checked_label(project: Project, label: str, *, known: bool | None = None) -> str:
    if known is None:
        known = Label.objects.filter(project=project, value=label).exists()
    if not known:
        values = ", ".join(Label.objects.filter(project=project).values_list("value", flat=True))
        raise InvalidInput(
            f"label: Unknown label {quoted(label)}.",
            fields={
                "label": [f"Unknown label {quoted(label)}; this project's labels are {values}."]
            },
        )
    return label


def _checked_source(source: str) -> str:
    if len(source) > SOURCE_MAX_CHARS:
        raise InvalidInput(
            "source: Too long.",
            fields={"source": [f"At most {SOURCE_MAX_CHARS} characters."]},
        )
    return source


def _checked_suggestion(suggestion_id: int | None, *, known: bool) -> int | None:
    if suggestion_id is not None and not known:
        raise InvalidInput(
            "suggestion: Not a suggestion on this document.",
            fields={"suggestion": [f"No suggestion {suggestion_id} on this document."]},
        )
    return suggestion_id


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    return text[max(0, start - QUOTE_CONTEXT_CHARS) : start], text[end : end + QUOTE_CONTEXT_CHARS]


def _span_state(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "label": span.label, "source": span.source}


def span_create(
    *,
    assignment: Assignment,
    actor: User,
    start: int,
    end: int,
    label: str,
    quote: str | None = None,
    source: str = "",
    note: str = "",
    suggestion: int | None = None,
    version: int | None = None,
    now: datetime | None = None,
) -> Span:
    """Add a span to one's own open assignment; the server fills quote, prefix and suffix.

    Only the assignment's id is read: it is locked and read again here. Offsets are code
    points, end exclusive. Raises NotFound unless the assignment is the actor's own,
    InvalidInput naming the field (start, end, label, quote, source, suggestion),
    WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable transaction;
    renews the lease, raises the version; writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = lock_open_assignment(
            assignment.pk,
            actor=actor,
            version=version,
            now=now,
            labels=[label],
            suggestions=[] if suggestion is None else [suggestion],
        )
        span = _new_span(
            locked,
            start=start,
            end=end,
            label=_checked_label(locked.project, label, known=cast(Any, locked).labels_known == 1),
            quote=quote,
            source=source,
            note=note,
            suggestion=_checked_suggestion(
                suggestion, known=getattr(locked, "suggestions_known", 0) == 1
            ),
        )
        span.save()
        touch(locked, now)
        audit_record(
            actor=actor,
            action="span.created",
            entity=span,
            project=locked.project,
            after=_span_state(span),
        )
    span.assignment = locked
    return span


def spans_create(
    *,
    assignment: Assignment,
    actor: User,
    spans: Sequence[Mapping[str, Any]],
    version: int | None = None,
    now: datetime | None = None,
) -> list[Span]:
    """Add several spans to one's own open assignment at once: all of them or none.

    Each item takes the arguments of `span_create` (start, end, label, and optionally quote,
    source, note, suggestion). The assignment's version rises once. Raises InvalidInput naming
    the item and field (e.g. `spans.2.start`) for the first wrong item, and what `span_create`
    raises otherwise. Locks the assignment in a durable transaction; renews the lease; writes
    one audit row per span in one insert.
    """
    now = now or clock.now()
    if not spans:
        raise InvalidInput("Send at least one span.", fields={"spans": ["The list is empty."]})
    with transaction.atomic(durable=True):
        labels = {item["label"] for item in spans if isinstance(item.get("label"), str)}
        asked = {item["suggestion"] for item in spans if item.get("suggestion") is not None}
        locked = lock_open_assignment(
            assignment.pk,
            actor=actor,
            version=version,
            now=now,
            labels=labels,
            suggestions=asked,
        )
        labels = _those_that_exist(
            Label.objects.filter(project=locked.project),
            "value",
            labels,
            counted=getattr(locked, "labels_known", 0),
        )
        suggestions = _those_that_exist(
            Suggestion.objects.filter(document_id=locked.document_id),
            "pk",
            asked,
            counted=getattr(locked, "suggestions_known", 0),
        )
        created = []
        for index, item in enumerate(spans):
            try:
                created.append(
                    _new_span(
                        locked,
                        start=item.get("start"),
                        end=item.get("end"),
                        label=_checked_label(
                            locked.project, item.get("label", ""), known=item.get("label") in labels
                        ),
                        quote=item.get("quote"),
                        source=item.get("source", ""),
                        note=item.get("note", ""),
                        suggestion=_checked_suggestion(
                            item.get("suggestion"), known=item.get("suggestion") in suggestions
                        ),
                    )
                )
            except InvalidInput as error:
                raise InvalidInput(
                    f"spans.{index}.{error.message}",
                    fields={
                        f"spans.{index}.{name}": reasons for name, reasons in error.fields.items()
                    },
                ) from error
        Span.objects.bulk_create(created)
        touch(locked, now)
        audit_record_each(
            actor=actor,
            action="span.created",
            project=locked.project,
            changes=[(span, None, _span_state(span)) for span in created],
        )
    for span in created:
        span.assignment = locked
    return created


def _those_that_exist(
    rows: QuerySet[Any], column: str, values: set[Any], *, counted: int
) -> set[Any]:
    """Which of `values` `rows` has in `column`, given how many of them the lock counted: all
    of them in the usual case, without a query; only a batch naming an unknown one reads which,
    to name it."""
    if counted == len(values):
        return values
    return set(rows.filter(**{f"{column}__in": values}).values_list(column, flat=True))


def _new_span(
    assignment: Assignment,
    *,
    start: Any,
    end: Any,
    label: str,
    quote: str | None,
    source: str,
    note: str,
    suggestion: int | None,
) -> Span:
    """An unsaved span on the locked assignment, its offsets and quote checked against the text."""
    text = assignment.document.text
    start, end, quote_text = _checked_offsets(text, start=start, end=end, quote=quote)
    prefix, suffix = _context(text, start, end)
    return Span(
        assignment=assignment,
        start=start,
        end=end,
        quote=quote_text,
        prefix=prefix,
        suffix=suffix,
        label=label,
        source=_checked_source(source),
        note=note,
        suggestion_id=suggestion,
    )


_UNSET: Any = object()


def span_update(
    *,
    span: Span,
    actor: User,
    version: int,
    start: int = _UNSET,
    end: int = _UNSET,
    label: str = _UNSET,
    quote: str | None = None,
    source: str = _UNSET,
    note: str = _UNSET,
    now: datetime | None = None,
) -> Span:
    """Change a span of one's own open assignment (resize, relabel, source, note).

    Unset arguments keep their value. Same checks and errors as `span_create`, plus StaleVersion
    when `version` is not the assignment's current one, NotFound if the span is gone. Locks the
    assignment then the span in a durable transaction; renews the lease, raises the version;
    writes an audit row.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        current = Span.objects.select_for_update(no_key=True).filter(pk=span.pk).first()
        if current is None:
            # Deleted (by the reviewer, in another tab) since the caller looked it up.
            raise NotFound("No such span.")
        before = _span_state(current)
        if start is not _UNSET or end is not _UNSET or quote is not None:
            text = locked.document.text
            new_start = current.start if start is _UNSET else start
            new_end = current.end if end is _UNSET else end
            current.start, current.end, current.quote = _checked_offsets(
                text, start=new_start, end=new_end, quote=quote
            )
            current.prefix, current.suffix = _context(text, current.start, current.end)
        if label is not _UNSET:
            current.label = _checked_label(locked.project, label)
        if source is not _UNSET:
            current.source = _checked_source(source)
        if note is not _UNSET:
            current.note = note
        current.save()
        touch(locked, now)
        audit_record(
            actor=actor,
            action="span.updated",
            entity=current,
            project=locked.project,
            before=before,
            after=_span_state(current),
        )
    current.assignment = locked
    return current


def span_delete(*, span: Span, actor: User, version: int, now: datetime | None = None) -> int:
    """Delete a span (and its evidence) from one's own open assignment; return the new version.

    Raises WrongState/LeaseExpired/StaleVersion (409). Locks the assignment in a durable
    transaction; renews the lease, raises the version; writes an audit row with the old span.
    """
    now = now or clock.now()
    with transaction.atomic(durable=True):
        locked = lock_open_assignment(span.assignment_id, actor=actor, version=version, now=now)
        current = Span.objects.filter(pk=span.pk).first()
        if current is None:
            raise NotFound("No such span.")
        audit_record(
            actor=actor,
            action="span.deleted",
            entity=current,
            project=locked.project,
            before=_span_state(current),
        )
        current.delete()
        touch(locked, now)
    return locked.version
