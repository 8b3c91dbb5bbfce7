"""Who may do what: small policy classes, combined in views with `&` and `|`.

Objects outside the caller's reach are filtered out by the selectors first (404, so nothing
leaks); these classes decide what a caller who can see an object may do with it (403).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from annotations.models import Assignment, EvidenceLink, Role, Span
from annotations.selectors import LEAD_ROLES, project_role


def remember_role(request: Request, project_id: int, role: Role | None) -> None:
    """Cache the caller's role in a project for the rest of the request."""
    request.__dict__.setdefault("_factcheck_roles", {})[project_id] = role


def role_in(request: Request, project_id: int) -> Role | None:
    """The caller's role in the project, looked up once per request."""
    roles: dict[int, Role | None] = request.__dict__.setdefault("_factcheck_roles", {})
    if project_id not in roles:
        roles[project_id] = project_role(user=request.user, project_id=project_id)
    return roles[project_id]


def _project_id(obj: Any) -> int:
    if isinstance(obj, EvidenceLink):
        return obj.span.assignment.project_id
    if isinstance(obj, Span):
        return obj.assignment.project_id
    project_id = getattr(obj, "project_id", None)
    return int(project_id if project_id is not None else obj.pk)


class IsSuperuser(BasePermission):
    """Only Django superusers (admins of every project) may do this."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_superuser)


class IsProjectMember(BasePermission):
    """Any member of the object's project may do this."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return role_in(request, _project_id(obj)) is not None


class IsProjectLead(BasePermission):
    """Leads and admins of the object's project may do this."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return role_in(request, _project_id(obj)) in LEAD_ROLES


class IsProjectAdmin(BasePermission):
    """Only admins of the object's project may do this."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        return role_in(request, _project_id(obj)) == Role.ADMIN


class IsAssignmentOwner(BasePermission):
    """Only the reviewer holding an assignment may change it, its spans or their evidence."""

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if isinstance(obj, EvidenceLink):
            obj = obj.span
        if isinstance(obj, Span):
            obj = obj.assignment
        return isinstance(obj, Assignment) and obj.reviewer_id == request.user.pk
