"""Request body parsers: DRF's, made to answer 400 for every malformed body."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from annotations import jsonsafe


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing every malformed body with a 400 that says what is wrong.

    `json.loads` raises RecursionError, not ValueError, on deep nesting (`[[[[...`), which
    DRF's parser lets through as a 500; NaN, Infinity and numbers thousands of digits long are
    refused naming the field that holds them (`jsonsafe`); and DRF's own messages quote the
    decoder's Python repr (`'utf-8' codec can't decode byte 0xff`), which ours do not.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ParseError("JSON parse error - the body is not valid UTF-8.") from exc
        try:
            return jsonsafe.loads(text)  # type: ignore[no-any-return]
        except jsonsafe.JSONValueError as exc:
            raise ValidationError({exc.field or "non_field_errors": [exc.reason]}) from exc
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"JSON parse error - {exc.msg} at line {exc.lineno} column {exc.colno}."
            ) from exc
        except RecursionError as exc:
            raise ParseError("JSON parse error - nested too deeply.") from exc
