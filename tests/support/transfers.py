"""HTTP calls on a transfer endpoint, for tests."""

from __future__ import annotations

import http.client
import json
from typing import Any

from colab_panel.endpoint.server import TOKEN_HEADER


def call(service: Any, method: str, path: str, body: bytes | dict | None = None,
         headers: dict[str, str] | None = None, token: bool = True) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request; `token` sends the endpoint's own key."""
    conn = http.client.HTTPConnection("127.0.0.1", service.port, timeout=10)
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {**(headers or {})}
    if token:
        sent[TOKEN_HEADER] = service.endpoint.token
    try:
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()
