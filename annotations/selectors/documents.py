"""Documents of the caller's projects."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from annotations.exceptions import NotFound
from annotations.models import Assignment, Document, Membership, Project, Role, Suggestion, Zone
from annotations.selectors.access import LEAD_ROLES, AnyUser


def documents_visible(
    *,
    user: AnyUser,
    project: Project,
    role: Role,
    status: str | None = None,
    search: str | None = None,
) -> QuerySet[Document]:
    """A project's documents without their text, filtered by status and a title/author search:
    every document for leads and admins, only their assignments' documents for reviewers.

    Precondition: `role` is the caller's role in the project (from `project_get`).
    """
    documents = Document.objects.filter(project=project).defer("text", "metadata")
    if role not in LEAD_ROLES:
        # Least privilege: a reviewer works on what the queue gave them, nothing else.
        documents = documents.filter(
            pk__in=Assignment.objects.filter(project=project, reviewer_id=user.pk).values(
                "document_id"
            )
        )
    if status:
        documents = documents.filter(status=status)
    if search:
        documents = documents.filter(
            Q(title__icontains=search) | Q(author__icontains=search) | Q(outlet__icontains=search)
        )
    return documents.order_by("-priority", "created_at", "id")


def document_get(*, user: AnyUser, document_id: int) -> Document:
    """One document, with zones and suggestions, if the caller leads or admins its project or
    holds an assignment on it in a project they still belong to; else NotFound."""
    documents = Document.objects.filter(pk=document_id)
    if not user.is_authenticated:
        raise NotFound("No such document.")
    if not getattr(user, "is_superuser", False):
        memberships = Membership.objects.filter(user_id=user.pk)
        led = memberships.filter(role__in=LEAD_ROLES).values("project_id")
        own = Assignment.objects.filter(
            reviewer_id=user.pk, project_id__in=memberships.values("project_id")
        ).values("document_id")
        documents = documents.filter(Q(project_id__in=led) | Q(pk__in=own))
    document = documents.prefetch_related(
        Prefetch("zones", queryset=Zone.objects.order_by("start", "-end", "id")),
        Prefetch("suggestions", queryset=Suggestion.objects.order_by("start", "end", "id")),
    ).first()
    if document is None:
        raise NotFound("No such document.")
    return document
