"""Schema post-processing: the error answers every operation can give, declared once.

Whatever the view, the same layers can refuse a request before it: the body-size middleware
(413), the parsers (400 for a malformed body, 415 for a content type the operation does not
take) and authentication (401). Declaring them here keeps each view's `extend_schema` about its
own answers, and lets the fuzzer hold the API to its schema.
"""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_COMMON = {
    "400": "Invalid input: a malformed body or parameter; `fields` names each wrong field.",
    "413": "The request body is larger than the documented limit (FACTCHECK_REQUEST_MAX_BYTES).",
    "415": "The request body's content type is not one this operation accepts.",
}


_ID = "$response.body#/id"
_PROJECT = "$request.path.project_id"
# OpenAPI links: where the id in one answer may be used next. They document the workflow and
# let the fuzzer follow it (claim, mark, add evidence, change, remove, submit).
_LINKS: dict[tuple[str, str], dict[str, tuple[str, dict[str, str]]]] = {
    ("queue_next", "201"): {
        "MarkSpan": ("span_create", {"assignment_id": _ID}),
        "Submit": ("assignment_submit", {"assignment_id": _ID}),
        "Release": ("assignment_release", {"assignment_id": _ID}),
        "ReadAssignment": ("v1_assignments_retrieve", {"assignment_id": _ID}),
    },
    ("span_create", "201"): {
        "ReadSpan": ("v1_spans_retrieve", {"span_id": _ID}),
        "ChangeSpan": ("span_update", {"span_id": _ID}),
        "RemoveSpan": ("span_delete", {"span_id": _ID}),
        "AddEvidence": ("evidence_create", {"span_id": _ID}),
    },
    ("evidence_create", "201"): {"RemoveEvidence": ("evidence_delete", {"evidence_id": _ID})},
    ("document_create", "201"): {"ReadDocument": ("v1_documents_retrieve", {"document_id": _ID})},
    ("project_create", "201"): {
        "ReadProject": ("v1_projects_retrieve", {"project_id": _ID}),
        "AddDocument": ("document_create", {"project_id": _ID}),
        "Claim": ("queue_next", {"project_id": _ID}),
    },
    ("preannotate", "202"): {
        "ReadRun": (
            "v1_projects_preannotation_runs_retrieve",
            {"project_id": _PROJECT, "run_id": _ID},
        )
    },
}


def add_common_errors(result: dict[str, Any], **_: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: add 400/413/415 to operations taking a body,
    `minimum: 1` to ids in paths and to `page` (the code answers 404 below that), and the
    links between operations."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                at_least_one = (
                    parameter.get("in") == "path" or parameter.get("name") == "page"
                ) and parameter.get("schema", {}).get("type") == "integer"
                if at_least_one:
                    parameter["schema"].setdefault("minimum", 1)
            for (operation_id, status), links in _LINKS.items():
                if (
                    operation.get("operationId") == operation_id
                    and status in operation["responses"]
                ):
                    operation["responses"][status]["links"] = {
                        name: {"operationId": target, "parameters": parameters}
                        for name, (target, parameters) in links.items()
                    }
            if method not in {"post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in _COMMON.items():
                if code == "415" and "requestBody" not in operation:
                    continue
                responses.setdefault(
                    code,
                    {
                        "content": {"application/json": {"schema": _ERROR}},
                        "description": description,
                    },
                )
    return result
