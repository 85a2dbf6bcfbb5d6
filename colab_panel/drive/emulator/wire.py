"""The request and response objects passed between the HTTP server and the API handlers.

Handlers never touch sockets: they get an `ApiRequest` and return an `ApiResponse`, and the
server decides how to send it (and how to break it, when a fault says so).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from colab_panel.drive.emulator.fields import apply_fields, parse_fields


@dataclass
class ApiRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    email: str  # the account the bearer token stands for
    base_url: str  # "https://127.0.0.1:PORT/", as the client addressed us
    resource_keys: dict[str, str] = field(default_factory=dict)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.query.get(name)
        return default if value is None else value.lower() == "true"

    def json_body(self) -> dict[str, Any]:
        from colab_panel.drive.emulator.errors import ApiError

        if not self.body.strip():
            return {}
        try:
            value = json.loads(self.body)
        except ValueError:
            raise ApiError(400, "parseError", "Parse Error") from None
        if not isinstance(value, dict):
            raise ApiError(400, "parseError", "Parse Error")
        return value


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    # Media bodies are streamed from a file region instead of `body`, so large files never sit in memory.
    file: Path | None = None
    offset: int = 0
    length: int = 0
    media: bool = False

    @property
    def body_length(self) -> int:
        return self.length if self.file is not None else len(self.body)


def json_response(request: ApiRequest, value: Any, status: int = 200) -> ApiResponse:
    """Serialize `value`, honouring the request's `fields=` partial-response selector."""
    if request.query.get("fields"):
        value = apply_fields(value, parse_fields(request.query["fields"]))
    return ApiResponse(status, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(value).encode())


def empty_response(status: int = 204) -> ApiResponse:
    return ApiResponse(status)
