"""Documents of the caller's projects."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from annotations.exceptions import NotFound
from annotations.models import Document, Project, Suggestion, Zone
from annotations.selectors.access import AnyUser, projects_visible


def documents_visible(
    *,
    project: Project,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Document]:
    """A project's documents without their text, filtered by status and a title/author search.

    Precondition: the caller has checked membership (the project came from `project_get`).
    """
    documents = Document.objects.filter(project=project).defer("text", "metadata")
    if status:
        documents = documents.filter(status=status)
    if search:
        documents = documents.filter(
            Q(title__icontains=search) | Q(author__icontains=search) | Q(outlet__icontains=search)
        )
    return documents.order_by("-priority", "created_at", "id")


def document_get(*, user: AnyUser, document_id: int) -> Document:
    """One document of the caller's projects, with zones and suggestions; else NotFound."""
    document = (
        Document.objects.filter(pk=document_id, project__in=projects_visible(user=user))
        .prefetch_related(
            Prefetch("zones", queryset=Zone.objects.order_by("start", "-end", "id")),
            Prefetch("suggestions", queryset=Suggestion.objects.order_by("start", "end", "id")),
        )
        .first()
    )
    if document is None:
        raise NotFound("No such document.")
    return document
