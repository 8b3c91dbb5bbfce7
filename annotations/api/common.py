"""What every API module shares: the error shape in the schema, pagination, project lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Model
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, generics, serializers, views
from rest_framework.request import Request

from annotations.exceptions import NotFound
from annotations.models import Project
from annotations.permissions import remember_role
from annotations.selectors import assignment_get, project_get

_DESCRIPTIONS = {
    400: "Invalid input: `fields` names each wrong field and the reason.",
    401: "Not authenticated: send a token (`Authorization: Token ...`) or a session cookie.",
    403: "Authenticated and allowed to see this, but your role does not allow this action.",
    404: (
        "No such object, or it belongs to a project or reviewer you may not see; on a list, "
        "also a `page` past the last one."
    ),
    409: (
        "Conflict: wrong state (e.g. already submitted), lapsed lease, a stale `version` "
        "(`current` holds the current state), or a duplicate."
    ),
    410: "Gone: it existed but was removed (e.g. a job's file past its expiry).",
    413: "The request body is larger than the documented limit.",
    429: "Too many failed attempts from this account or address; see `Retry-After`.",
}


class ErrorSerializer(serializers.Serializer[Any]):
    """The one error body of the API, whatever raised it."""

    code = serializers.CharField(
        help_text="Stable machine-readable code, e.g. invalid, not_found, stale_version."
    )
    message = serializers.CharField(help_text="A sentence for people.")
    # Declared fields are taken off the class by DRF's metaclass, so `fields` is safe here.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For invalid input: each wrong field and the reasons.",
    )
    current = serializers.DictField(
        required=False,
        help_text="For 409 on an assignment: its current state and spans, to recover from.",
    )
    constraint = serializers.CharField(
        required=False, help_text="For conflicts found by the database: the constraint's name."
    )
    retry_after = serializers.IntegerField(
        required=False, min_value=1, help_text="For 429: seconds to wait, as in `Retry-After`."
    )


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the error responses an endpoint can give."""
    return {
        code: OpenApiResponse(response=ErrorSerializer, description=_DESCRIPTIONS[code])
        for code in codes
    }


def caller(request: Request) -> User:
    """The authenticated user; permissions have refused anonymous callers before this."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


@contextmanager
def explaining_not_yours(
    view: views.APIView, request: Request, lookup: Callable[[], Model]
) -> Iterator[None]:
    """Run a write whose service finds only the caller's own work, without a lookup first.

    The write is the common case, so it costs no extra query; only when the service answers
    NotFound is the object looked up as the caller sees it, to answer as the view's permissions
    would: 404 if they may not see it (the lookup raises), 403 if they may (e.g. a lead).
    """
    try:
        yield
    except NotFound:
        view.check_object_permissions(request, lookup())
        raise


def explaining_not_your_assignment(
    view: views.APIView, request: Request, assignment_id: int
) -> AbstractContextManager[None]:
    """`explaining_not_yours` for a write on one of the caller's assignments."""
    return explaining_not_yours(
        view, request, lambda: assignment_get(user=request.user, assignment_id=assignment_id)
    )


class ProjectScopedView(generics.GenericAPIView[Any]):
    """A view under /projects/{project_id}/: looks the project up for the caller (404 if not
    theirs) and checks the view's object permissions against it (403)."""

    def get_project(self) -> Project:
        request: Request = self.request
        project, role = project_get(user=request.user, project_id=int(self.kwargs["project_id"]))
        remember_role(request, project.pk, role)
        self.check_object_permissions(request, project)
        return project


# It changes nothing, so CSRF is moot; without the exemption a POST with a session cookie got
# the CSRF middleware's HTML 403 instead.
@csrf_exempt
def endpoint_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """404 in the API's error shape for a path no route matches (e.g. a non-numeric id).

    Django's own 404 page is HTML (and in DEBUG, a page listing every route).
    """
    return JsonResponse(
        {
            "code": "not_found",
            "message": "No such endpoint: check the path against /api/schema/ "
            "(ids are whole numbers).",
        },
        status=404,
    )
