"""The Django admin for every model: columns, search, filters, inlines; history is read-only.

Submitted reviews, resolutions and the audit trail are never changed or deleted here: leads add
resolutions, they do not edit history, and the admin follows the same rule.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from annotations.admin_exports import DOCUMENT_EXPORT_ACTIONS, PROJECT_EXPORT_ACTIONS
from annotations.importing import Refusal, parse_record
from annotations.models import (
    Assignment,
    AuditEvent,
    Dispute,
    Document,
    DocumentAgreement,
    EvidenceLink,
    Job,
    Label,
    Membership,
    PreannotationItem,
    PreannotationRun,
    Project,
    Resolution,
    RunState,
    Span,
    Suggestion,
    Zone,
)
from annotations.services import (
    audit_change,
    documents_import,
    model_snapshot,
    preannotation_job_request,
)


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """An inline that shows rows and never adds, changes or deletes them."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [str(name) for name in self.fields or []]


class HistoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Every object's page links to its audit trail: who changed it, when, before and after.

    Changes made here are recorded too (the workflow's services record their own), so the
    trail is whole whatever the interface.
    """

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [str(name) for name in super().get_readonly_fields(request, obj)]
        return [*fields, "history"] if obj is not None else fields

    @admin.display(description="history")
    def history(self, obj: Any) -> str:
        url = reverse("admin:annotations_auditevent_changelist")
        query = urlencode({"entity_type": obj._meta.model_name, "entity_id": obj.pk})
        count = AuditEvent.objects.filter(
            entity_type=obj._meta.model_name, entity_id=obj.pk
        ).count()
        return format_html('<a href="{}?{}">{} recorded change(s)</a>', url, query, count)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            before = _stored(obj) if change else None
            super().save_model(request, obj, form, change)
            audit_change(
                actor=_user(request),
                entity=obj,
                before=before,
                verb="changed" if change else "created",
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_change(actor=_user(request), entity=obj, before=_stored(obj), verb="deleted")
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit_change(actor=_user(request), entity=obj, before=_stored(obj), verb="deleted")
                obj.delete()
            for obj in instances:
                before = _stored(obj) if obj.pk else None
                obj.save()
                audit_change(
                    actor=_user(request),
                    entity=obj,
                    before=before,
                    verb="changed" if before is not None else "created",
                )
            formset.save_m2m()


class ReadOnlyAdmin(HistoryAdmin):
    """For append-only history: viewable, never added, edited or deleted by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LabelInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Label
    extra = 0


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(HistoryAdmin):
    list_display = ["name", "reviews_required", "lease_minutes", "dispute_tolerance", "created_at"]
    search_fields = ["name", "description"]
    inlines = [LabelInline, MembershipInline]
    actions = ["preannotate_projects", *PROJECT_EXPORT_ACTIONS]

    @admin.action(description="Re-run pre-annotation on every document (force)")
    def preannotate_projects(self, request: HttpRequest, queryset: QuerySet[Project]) -> None:
        # A background job per project: creating a run for thousands of documents and sending
        # it can outlast the request.
        for project in queryset:
            job = preannotation_job_request(
                project=project, document_ids=None, force=True, requested_by=_user(request)
            )
            self.message_user(request, _job_message(project, job), messages.SUCCESS)


@admin.register(Label)
class LabelAdmin(HistoryAdmin):
    list_display = ["value", "name", "project", "hotkey", "swatch"]
    list_filter = ["project"]
    search_fields = ["value", "name"]

    @admin.display(description="colour")
    def swatch(self, obj: Label) -> str:
        return format_html(
            '<span style="background:{};padding:0 1em">&nbsp;</span> {}', obj.color, obj.color
        )


@admin.register(Membership)
class MembershipAdmin(HistoryAdmin):
    list_display = ["user", "project", "role", "created_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__username", "project__name"]
    autocomplete_fields = ["user", "project"]


class ZoneInline(ReadOnlyInline):
    model = Zone
    fields = ["kind", "start", "end", "engine", "engine_version", "metadata"]


class SuggestionInline(ReadOnlyInline):
    model = Suggestion
    fields = ["label", "start", "end", "source_name", "reason", "confidence", "engine_version"]


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["reviewer", "state", "claimed_at", "lease_expires_at", "submitted_at"]


class DocumentImportForm(forms.ModelForm):  # type: ignore[type-arg]
    """Adding a document by hand goes through the importer: normalised, checked, deduplicated."""

    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 20, "cols": 100}))
    title = forms.CharField(
        required=False, max_length=500, help_text="Leave empty to take the text's first line."
    )

    class Meta:
        model = Document
        fields = [
            "project",
            "title",
            "text",
            "source_url",
            "author",
            "outlet",
            "published_on",
            "priority",
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        record = {
            "text": data.get("text") or "",
            "title": data.get("title") or "",
            "url": data.get("source_url") or "",
            "author": data.get("author") or "",
            "outlet": data.get("outlet") or "",
            "published": data["published_on"].isoformat() if data.get("published_on") else "",
        }
        parsed = parse_record("admin", record, max_bytes=settings.FACTCHECK_IMPORT_MAX_BYTES)
        if isinstance(parsed, Refusal):
            raise forms.ValidationError(f"Not imported: {parsed.reason}.")
        project = data.get("project")
        existing = (
            Document.objects.filter(project=project, text_sha256=parsed.sha256).first()
            if project
            else None
        )
        if existing is not None:
            raise forms.ValidationError(
                f"This text is already in the project as document #{existing.pk} "
                f"({existing.title!r})."
            )
        self.parsed = parsed
        return data


@admin.register(Document)
class DocumentAdmin(HistoryAdmin):
    list_display = [
        "title",
        "project",
        "status",
        "preannotation",
        "outlet",
        "published_on",
        "characters",
        "created_at",
    ]
    list_filter = ["status", "project", "outlet"]
    search_fields = ["title", "author", "outlet", "source_url", "text_sha256"]
    date_hierarchy = "created_at"
    list_select_related = ["project"]
    inlines = [ZoneInline, SuggestionInline, AssignmentInline]
    actions = ["preannotate_documents", *DOCUMENT_EXPORT_ACTIONS]

    def get_readonly_fields(self, request: HttpRequest, obj: Document | None = None) -> list[str]:
        if obj is None:
            return []
        # The text never changes after import (a changed text is a new document version); the
        # project and the review status change only through the workflow's services.
        return [
            "project",
            "text",
            "text_sha256",
            "status",
            "previous_version",
            "imported_by",
            "created_at",
            "history",
        ]

    def get_form(
        self, request: HttpRequest, obj: Document | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = DocumentImportForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Document | None) -> list[Any]:
        return list(self.inlines) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        if change:
            if "title" in form.changed_data:
                # Someone chose this title: pre-annotation must not replace it with a headline.
                obj.metadata.pop("title_from_first_line", None)
            super().save_model(request, obj, form, change)
            return
        report = documents_import(
            project=form.cleaned_data["project"], items=[form.parsed], imported_by=_user(request)
        )
        if report.imported:
            created = report.imported[0]
            Document.objects.filter(pk=created.pk).update(priority=form.cleaned_data["priority"])
        else:
            # Another import added the same text after the form was checked.
            created = Document.objects.get(pk=report.duplicates[0].existing_document_id)
            self.message_user(
                request, "That text had just been imported; showing it.", messages.WARNING
            )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.display(description="characters")
    def characters(self, obj: Document) -> int:
        return obj.char_count

    @admin.display(description="pre-annotation")
    def preannotation(self, obj: Document) -> str:
        state = str(getattr(obj, "latest_preannotation_state", "") or "")
        return str(dict(RunState.choices).get(state, "never run"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Document]:
        latest = PreannotationItem.objects.filter(document=OuterRef("pk")).order_by("-id")
        queryset: QuerySet[Document] = super().get_queryset(request)
        annotated: QuerySet[Document] = queryset.annotate(
            latest_preannotation_state=Subquery(latest.values("state")[:1])
        )
        return annotated

    def has_delete_permission(self, request: HttpRequest, obj: Document | None = None) -> bool:
        # Reviews hang off documents; a reviewed document is kept so its history is too.
        if obj is not None and obj.assignments.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description="Re-run pre-annotation on the selected documents (force)")
    def preannotate_documents(self, request: HttpRequest, queryset: QuerySet[Document]) -> None:
        by_project: dict[int, list[Document]] = {}
        for document in queryset.select_related("project"):
            by_project.setdefault(document.project_id, []).append(document)
        for documents in by_project.values():
            job = preannotation_job_request(
                project=documents[0].project,
                document_ids=[document.pk for document in documents],
                force=True,
                requested_by=_user(request),
            )
            self.message_user(request, _job_message(documents[0].project, job), messages.SUCCESS)


def _job_message(project: Project, job: Job) -> str:
    return (
        f"{project}: pre-annotation job #{job.pk} queued for {job.progress_total} document(s); "
        f"follow it under Jobs or at /api/v1/jobs/{job.pk}."
    )


class PreannotationItemInline(ReadOnlyInline):
    model = PreannotationItem
    fields = ["document", "state", "attempts", "error", "sent_at", "started_at", "finished_at"]


@admin.register(PreannotationRun)
class PreannotationRunAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "project",
        "engine",
        "engine_version",
        "state",
        "progress_display",
        "created_at",
        "finished_at",
    ]
    list_filter = ["state", "engine", "project"]
    search_fields = ["engine", "error"]
    inlines = [PreannotationItemInline]

    @admin.display(description="progress")
    def progress_display(self, obj: PreannotationRun) -> str:
        failed = f", {obj.documents_failed} failed" if obj.documents_failed else ""
        return f"{obj.documents_done}/{obj.documents_total} done{failed}"


@admin.register(PreannotationItem)
class PreannotationItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "run", "document", "state", "attempts", "sent_at", "finished_at"]
    list_filter = ["state"]
    search_fields = ["document__title", "error"]


@admin.register(Zone)
class ZoneAdmin(ReadOnlyAdmin):
    list_display = ["kind", "document", "start", "end", "engine", "engine_version"]
    list_filter = ["kind", "engine"]
    search_fields = ["document__title"]


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = [
        "label",
        "document",
        "start",
        "end",
        "source_name",
        "confidence",
        "engine_version",
    ]
    list_filter = ["label", "engine"]
    search_fields = ["document__title", "source_name", "reason"]


class SpanInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Span
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["start", "end", "label", "quote", "source", "note", "evidence_links"]
    readonly_fields = ["quote", "evidence_links"]

    @admin.display(description="evidence")
    def evidence_links(self, obj: Span) -> str:
        return format_html_join(
            ", ",
            '<a href="{}" rel="noopener noreferrer">{}</a> ({})',
            ((e.url, e.title or e.url, e.stance) for e in obj.evidence.all()),
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    list_display = [
        "id",
        "document",
        "reviewer",
        "project",
        "state",
        "claimed_at",
        "lease_expires_at",
        "submitted_at",
    ]
    list_filter = ["state", "project"]
    search_fields = ["document__title", "reviewer__username"]
    list_select_related = ["document", "reviewer", "project"]
    readonly_fields = [
        "project",
        "document",
        "reviewer",
        "claimed_at",
        "submitted_at",
        "nothing_to_mark",
        "version",
    ]
    inlines = [SpanInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # Assignments come from the queue, never by hand.

    def has_change_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        # States change only through the workflow (claim, release, submit, expiry), which
        # keeps the version, lease and audit trail right; the admin shows them.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Assignment | None = None) -> bool:
        return False


class EvidenceInline(ReadOnlyInline):
    model = EvidenceLink
    fields = ["url", "title", "stance", "quoted_passage", "added_by", "added_at"]


@admin.register(Span)
class SpanAdmin(ReadOnlyAdmin):
    list_display = ["id", "label", "quote_excerpt", "source", "assignment", "start", "end"]
    list_filter = ["label"]
    search_fields = ["quote", "source", "note"]
    inlines = [EvidenceInline]

    @admin.display(description="quote")
    def quote_excerpt(self, obj: Span) -> str:
        return obj.quote[:80] + ("…" if len(obj.quote) > 80 else "")


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(ReadOnlyAdmin):
    list_display = ["url", "title", "stance", "span", "added_by", "added_at"]
    list_filter = ["stance"]
    search_fields = ["url", "title", "quoted_passage"]


class ResolutionInline(ReadOnlyInline):
    model = Resolution
    fk_name = "dispute"
    fields = [
        "lead",
        "no_span",
        "start",
        "end",
        "label",
        "source",
        "claim_rating",
        "rationale",
        "supersedes",
        "created_at",
    ]


# Disputes and decisions are history: they come from the agreement computation and the leads'
# decisions through the API (services), never from edits here.
@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["id", "document", "round", "kind", "status", "version", "start", "end"]
    list_filter = ["status", "kind", ("document__project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["document__title"]
    list_select_related = ["document"]
    raw_id_fields = ["document", "spans"]
    inlines = [ResolutionInline]


@admin.register(Resolution)
class ResolutionAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "kind",
        "document",
        "dispute",
        "lead",
        "label",
        "claim_rating",
        "no_span",
        "supersedes",
        "created_at",
    ]
    list_filter = [
        "kind",
        "claim_rating",
        "no_span",
        ("document__project", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["rationale", "lead__username", "document__title"]
    list_select_related = ["document", "lead"]
    raw_id_fields = ["document", "dispute", "supersedes"]


@admin.register(DocumentAgreement)
class DocumentAgreementAdmin(ReadOnlyAdmin):
    list_display = ["document", "round", "is_current", "alpha", "units", "disputes", "settled_at"]
    list_filter = ["is_current", ("project", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["document__title"]
    list_select_related = ["document"]
    raw_id_fields = ["document", "project"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in AuditEvent._meta.fields]

    list_display = ["created_at", "action", "entity_type", "entity_id", "actor", "project"]
    list_filter = ["action", "entity_type", "project"]
    search_fields = ["action", "entity_type", "actor__username"]
    date_hierarchy = "created_at"


def _stored(obj: Any) -> dict[str, Any] | None:
    """The object as the database holds it now (before the admin's change), or None."""
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return model_snapshot(stored) if stored is not None else None


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """Background jobs (imports, pre-annotation requests, exports): state, progress, report."""

    list_display = [
        "id",
        "kind",
        "project",
        "state",
        "progress_done",
        "progress_total",
        "created_at",
    ]
    list_filter = ["kind", "state", "project"]
    list_select_related = ["project"]


def _user(request: HttpRequest) -> Any:
    return request.user if request.user.is_authenticated else None
