"""What OPTIONS answers: the view's name, description and media types; the schema does the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.metadata import SimpleMetadata

if TYPE_CHECKING:
    # Only for types: this module is loaded while rest_framework.views is being imported.
    from rest_framework.request import Request
    from rest_framework.views import APIView


class Metadata(SimpleMetadata):
    """DRF's simple metadata without `actions`.

    DRF describes a POST by instantiating the view's `serializer_class`, which most of our views
    do not have (their input serializers are nested per method), so OPTIONS answered 500; and
    where a list view has one it is the output serializer, so the description was wrong. The
    OpenAPI schema at /api/schema/ documents every request body instead.
    """

    def determine_actions(self, request: Request, view: APIView) -> dict[str, Any]:
        return {}
