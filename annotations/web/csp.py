"""A strict Content-Security-Policy for the frontend's pages.

Scripts and styles come from our own origin only: no inline scripts, no inline event handlers,
no `eval`, no inline `<style>`; colours the pages compute are set through the CSSOM, which
the policy allows. Data reaches scripts through `json_script` (a JSON island the browser never
executes).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Django's admin and the Swagger UI page bring inline scripts and styles of their own; they are
# not the frontend and keep their own rules.
EXEMPT_PREFIXES = ("/admin/", "/api/docs/")


class ContentSecurityPolicyMiddleware:
    """Add the policy to every response outside the exempt prefixes, unless one is set."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(EXEMPT_PREFIXES):
            response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
