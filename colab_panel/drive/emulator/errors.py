"""Errors the emulator answers with, in the JSON shape Google's APIs use.

    {"error": {"errors": [{"domain": "global", "reason": "notFound", "message": "..."}],
               "code": 404, "message": "..."}}

Clients key off `reason` (googleapiclient retries `userRateLimitExceeded`/`rateLimitExceeded`,
PyDrive2 falls back to export on `fileNotDownloadable`), so reasons are Google's real ones.
"""

from __future__ import annotations

import json
from typing import Any


class ApiError(Exception):
    """Raised inside a handler; the server turns it into a Google-shaped JSON error response."""

    def __init__(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.headers = dict(headers or {})

    def to_json(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"domain": self.domain, "reason": self.reason, "message": self.message}
        if self.location is not None:
            detail["locationType"] = self.location_type or "parameter"
            detail["location"] = self.location
        return {"error": {"errors": [detail], "code": self.status, "message": self.message}}

    def body(self) -> bytes:
        return json.dumps(self.to_json()).encode()


def not_found(file_id: str) -> ApiError:
    return ApiError(404, "notFound", f"File not found: {file_id}", location="file", location_type="other")


def insufficient_permissions() -> ApiError:
    return ApiError(
        403,
        "insufficientFilePermissions",
        "The user does not have sufficient permissions for this file.",
    )


def invalid(message: str, location: str | None = None) -> ApiError:
    return ApiError(400, "invalid", message, location=location)


def auth_error() -> ApiError:
    return ApiError(
        401,
        "authError",
        "Invalid Credentials",
        location="Authorization",
        location_type="header",
        headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
    )


def rate_limit(status: int = 403, reason: str = "userRateLimitExceeded") -> ApiError:
    """A quota error as Google sends it: 403 with a usageLimits reason, or 429 rateLimitExceeded."""
    messages = {
        "userRateLimitExceeded": "User Rate Limit Exceeded",
        "rateLimitExceeded": "Rate Limit Exceeded",
        "sharingRateLimitExceeded": "Rate limit exceeded. User message: \"Sorry, you have exceeded your sharing quota.\"",
        "downloadQuotaExceeded": "The download quota for this file has been exceeded.",
    }
    return ApiError(status, reason, messages.get(reason, reason), domain="usageLimits")


def server_error(status: int = 500) -> ApiError:
    if status == 503:
        return ApiError(503, "backendError", "Backend Error")
    return ApiError(status, "internalError", "Internal Error")
