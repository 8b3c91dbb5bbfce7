"""Request middleware: refuse oversized bodies before anything reads them.

Django refuses a body past DATA_UPLOAD_MAX_MEMORY_SIZE only when a view reads it, and then with
an HTML 400 page; a 100 MB upload would also be streamed to disk first. A declared length past
FACTCHECK_REQUEST_MAX_BYTES is refused here at once, as a 413 in the API's error shape.
File uploads are the exception: they are streamed to disk and imported by a background job, so
they may be as large as FACTCHECK_UPLOAD_MAX_BYTES.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from annotations.exceptions import too_large_body

_UPLOAD_PATH = re.compile(r"^/api/v1/projects/\d+/documents/upload$")


class RequestSizeLimitMiddleware:
    """413 in the JSON error shape for a request whose declared body is over the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = (
            settings.FACTCHECK_UPLOAD_MAX_BYTES
            if _UPLOAD_PATH.match(request.path_info)
            else settings.FACTCHECK_REQUEST_MAX_BYTES
        )
        if length > limit:
            return JsonResponse(too_large_body(limit), status=413)
        return self.get_response(request)
