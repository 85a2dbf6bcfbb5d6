"""What a failed Drive call means: transient (retry it) or a `colab_panel.errors.DriveError` in words.

    is_transient(exc)      -> bool    rate limits (403 usageLimits reasons, 429), 5xx, and
                                      connection failures (reset, IncompleteRead, SSL EOF, timeout)
    translate(exc, ...)    -> DriveError with a sentence a user can act on; never contains a token

googleapiclient's `HttpError` carries Google's JSON error body; the `reason` in
`error.errors[0].reason` is what tells a rate limit (retry) from a permission problem (don't).
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from typing import Any

from colab_panel.errors import (
    DriveAuthError,
    DriveError,
    DriveNotFound,
    DrivePermissionDenied,
    DriveQuotaExceeded,
    ResourceKeyRequired,
)

__all__ = ["ApiFailure", "RequestOutcomeUnknown", "api_failure", "is_transient", "is_rate_limit", "outcome_unknown",
           "retry_after_s", "translate"]

RATE_LIMIT_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "sharingRateLimitExceeded"})
# downloadQuotaExceeded is per file per day: waiting two minutes will not clear it, so it is
# reported at once instead of retried.
DAILY_QUOTA_REASONS = frozenset({"downloadQuotaExceeded", "dailyLimitExceeded", "quotaExceeded"})
PERMISSION_REASONS = frozenset({"insufficientFilePermissions", "forbidden", "insufficientPermissions",
                                "cannotDownloadAbusiveFile", "domainPolicy", "appNotAuthorizedToFile"})
AUTH_REASONS = frozenset({"authError", "required", "invalidCredentials"})

_NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    ConnectionError,  # reset, refused, aborted, broken pipe
    TimeoutError,
    socket.timeout,
    http.client.HTTPException,  # IncompleteRead, RemoteDisconnected, BadStatusLine
    ssl.SSLError,  # SSLEOFError: httplib2 reused a pooled connection the server had dropped
)


class RequestOutcomeUnknown(ConnectionError):
    """A request that is not idempotent was sent whole, then the connection failed before any
    byte of an answer: Drive may or may not have acted on it (raised by `connection.DriveHttp`).
    Retrying it blindly could do it twice; `Drive.call` looks first where it can."""

    def __init__(self, method: str, uri: str, cause: BaseException) -> None:
        super().__init__(f"{method} {uri.partition('?')[0]}: the connection failed before any answer "
                         f"({type(cause).__name__}); Drive may have acted on it")
        self.method = method
        self.uri = uri


def outcome_unknown(action: str) -> DriveError:
    """What a user is told when a create nothing can look up lost its answer (see `create_once`)."""
    return DriveError(
        f"Could not tell whether Drive managed to {action}: the connection broke after the request "
        "was sent and before the answer. Look in Drive before trying again, so as not to do it twice.",
        reason="outcomeUnknown")


class ApiFailure:
    """The status, reason and message of an HttpError (reason '' when the body had none)."""

    def __init__(self, status: int, reason: str, message: str, headers: dict[str, Any]) -> None:
        self.status = status
        self.reason = reason
        self.message = message
        self.headers = headers


def api_failure(exc: BaseException) -> ApiFailure | None:
    """Google's status/reason/message of `exc` if it is a googleapiclient HttpError, else None."""
    resp = getattr(exc, "resp", None)
    content = getattr(exc, "content", None)
    if resp is None or not isinstance(content, bytes) or not hasattr(resp, "status"):
        return None
    reason, message = "", ""
    try:
        data = json.loads(content.decode("utf-8"))
        error = data.get("error", {}) if isinstance(data, dict) else {}
        message = str(error.get("message", ""))
        details = error.get("errors") or []
        if details and isinstance(details[0], dict):
            reason = str(details[0].get("reason", ""))
    except (ValueError, AttributeError):
        pass
    return ApiFailure(int(resp.status), reason, message, dict(resp))


def _is_auth_library_error(exc: BaseException) -> bool:
    # Matched by name so this module need not import oauth2client/google.auth/pydrive2.
    names = {f"{klass.__module__}.{klass.__name__}" for klass in type(exc).__mro__}
    return bool(names & {
        "oauth2client.client.AccessTokenCredentialsError",
        "oauth2client.client.AccessTokenRefreshError",
        "google.auth.exceptions.RefreshError",
        "google.auth.exceptions.DefaultCredentialsError",
        "pydrive2.auth.AuthError",
        "pydrive2.auth.InvalidCredentialsError",
    })


def is_rate_limit(exc: BaseException) -> bool:
    failure = api_failure(exc)
    return failure is not None and (failure.status == 429 or (failure.status == 403 and failure.reason in RATE_LIMIT_REASONS))


def is_transient(exc: BaseException) -> bool:
    """Worth another attempt (on a fresh connection)."""
    failure = api_failure(exc)
    if failure is not None:
        return failure.status >= 500 or is_rate_limit(exc)
    if _is_auth_library_error(exc):
        return False
    return isinstance(exc, _NETWORK_ERRORS)


def retry_after_s(exc: BaseException) -> float | None:
    failure = api_failure(exc)
    if failure is None:
        return None
    value = failure.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def translate(exc: BaseException, *, file_id: str | None = None, key_sent: bool = False,
              action: str = "reach Google Drive") -> DriveError | None:
    """The DriveError a user should see for `exc`, or None if `exc` is not a Drive/network failure.

    `key_sent`: a resource key went with the request, so a 404 means the key is wrong or the
    item needs one we do not have (ResourceKeyRequired) rather than a plain "not found".
    """
    if isinstance(exc, DriveError):
        return exc
    what = f"'{file_id}'" if file_id else "the item"
    if _is_auth_library_error(exc):
        return DriveAuthError(
            f"Google refused the Drive credentials ({type(exc).__name__}). Sign in again: in Colab rerun "
            "the cell (you will be asked to allow Drive access); elsewhere call colab_panel.drive.connect().",
            reason="authError", status=401)
    failure = api_failure(exc)
    if failure is None:
        if isinstance(exc, _NETWORK_ERRORS):
            return DriveError(f"Could not {action}: the connection kept failing ({type(exc).__name__}). "
                              "Check the network and try again.")
        return None
    status, reason = failure.status, failure.reason
    if status == 401 or reason in AUTH_REASONS:
        return DriveAuthError("Google Drive did not accept the saved sign-in (it expired or was revoked). "
                              "Sign in again with colab_panel.drive.connect().", reason=reason or "authError", status=status)
    if status == 404 or reason == "notFound":
        if key_sent:
            return ResourceKeyRequired(
                f"Drive item {what} was not found with the resource key from its link. The key may be wrong "
                "or out of date: copy the link again from Drive (it ends with ?resourcekey=...).",
                reason=reason or "notFound", status=status)
        return DriveNotFound(
            f"No Drive file or folder with ID {what} is visible to this account. Check the ID, ask the owner "
            "to share it with you, or, for a file shared by link, paste the whole link (older shared links "
            "carry a resourcekey the file needs).", reason=reason or "notFound", status=status)
    if status == 429 or reason in RATE_LIMIT_REASONS:
        return DriveQuotaExceeded(
            "Google Drive is limiting how fast this account can make requests and kept refusing after several "
            "retries. Wait a minute or two and try again.", reason=reason or "rateLimitExceeded", status=status)
    if reason in DAILY_QUOTA_REASONS:
        return DriveQuotaExceeded(
            f"The download quota for {what} has been exceeded (Drive limits how often a shared file can be "
            "downloaded per day). Try again in 24 hours, or make a copy into your own Drive and download the copy.",
            reason=reason, status=status)
    if reason == "fileNotDownloadable":
        return DriveError(f"{what} is a Google Docs/Sheets/Slides file: it has no bytes to download. "
                          "Export it to a format such as pdf, docx or csv instead.", reason=reason, status=status)
    if status == 403 or reason in PERMISSION_REASONS:
        return DrivePermissionDenied(
            f"This account may not {action} for {what} ({reason or 'forbidden'}). Ask the owner for edit access "
            "or work on a copy.", reason=reason or "forbidden", status=status)
    if status >= 500:
        return DriveError(f"Google Drive kept failing ({status} {reason or 'server error'}) after several retries. "
                          "Try again in a few minutes.", reason=reason, status=status)
    detail = failure.message or reason or "bad request"
    return DriveError(f"Drive refused to {action}: {detail} ({status}).", reason=reason, status=status)
