"""Request middleware: refuse oversized bodies before anything reads them.

Django refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE only when a view reads it, and then with
an HTML 400 page; a 100 MB upload would also be streamed to disk first. A declared length past
FACTCHECK_REQUEST_MAX_BYTES is refused here at once, as a 413 in the API's error shape.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from annotations.exceptions import too_large_body


class RequestSizeLimitMiddleware:
    """413 in the JSON error shape for a request whose declared body is over the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.FACTCHECK_REQUEST_MAX_BYTES:
            return JsonResponse(too_large_body(), status=413)
        return self.get_response(request)
