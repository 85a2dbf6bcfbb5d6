"""The retry schedule and the HttpError -> DriveError table, without a server."""

from __future__ import annotations

import http.client
import json
import random
import ssl

import httplib2
import pytest
from googleapiclient.errors import HttpError

from colab_panel.drive.failures import is_transient, retry_after_s, translate
from colab_panel.drive.retry import RetryPolicy
from colab_panel.errors import (DriveAuthError, DriveError, DriveNotFound, DrivePermissionDenied, DriveQuotaExceeded,
                                ResourceKeyRequired)


def http_error(status: int, reason: str = "", headers: dict[str, str] | None = None) -> HttpError:
    body = {"error": {"errors": [{"reason": reason, "message": reason}], "code": status, "message": reason}}
    resp = httplib2.Response({"status": status, **(headers or {})})
    return HttpError(resp, json.dumps(body).encode(), uri="https://example/drive/v2/files/x")


@pytest.mark.parametrize(("exc", "transient"), [
    (http_error(403, "userRateLimitExceeded"), True),
    (http_error(403, "rateLimitExceeded"), True),
    (http_error(429, "rateLimitExceeded"), True),
    (http_error(500, "internalError"), True),
    (http_error(503, "backendError"), True),
    (http_error(403, "downloadQuotaExceeded"), False),
    (http_error(403, "insufficientFilePermissions"), False),
    (http_error(404, "notFound"), False),
    (http_error(401, "authError"), False),
    (http.client.IncompleteRead(b"x", 10), True),
    (ssl.SSLEOFError(8, "EOF occurred in violation of protocol"), True),
    (ConnectionResetError(104, "reset"), True),
    (FileNotFoundError("local"), False),
    (ValueError("bug"), False),
])
def test_is_transient(exc, transient):
    assert is_transient(exc) is transient


@pytest.mark.parametrize(("exc", "kind", "words"), [
    (http_error(404, "notFound"), DriveNotFound, "No Drive file or folder with ID '1abc'"),
    (http_error(403, "insufficientFilePermissions"), DrivePermissionDenied, "may not"),
    (http_error(403, "userRateLimitExceeded"), DriveQuotaExceeded, "Wait a minute"),
    (http_error(429), DriveQuotaExceeded, "Wait a minute"),
    (http_error(403, "downloadQuotaExceeded"), DriveQuotaExceeded, "24 hours"),
    (http_error(401, "authError"), DriveAuthError, "Sign in again"),
    (http_error(503, "backendError"), DriveError, "kept failing"),
    (http_error(400, "invalid"), DriveError, "Drive refused"),
])
def test_translate(exc, kind, words):
    error = translate(exc, file_id="1abc")
    assert type(error) is kind and words in str(error)


def test_404_with_a_key_sent_needs_the_right_key():
    assert isinstance(translate(http_error(404, "notFound"), file_id="1abc", key_sent=True), ResourceKeyRequired)


def test_retry_after_header():
    assert retry_after_s(http_error(429, headers={"retry-after": "3"})) == 3.0
    assert retry_after_s(http_error(429)) is None


def test_backoff_grows_with_jitter_and_stops():
    sleeps: list[float] = []
    policy = RetryPolicy(max_attempts=4, base_delay_s=1, max_delay_s=3, sleep=sleeps.append, rng=random.Random(0))
    calls = []

    def fail():
        calls.append(1)
        raise ConnectionResetError()

    with pytest.raises(ConnectionResetError):
        policy.call(fail, is_retryable=is_transient)
    assert len(calls) == 4
    assert 0.5 <= sleeps[0] <= 1 and 1 <= sleeps[1] <= 2 and 1.5 <= sleeps[2] <= 3


def test_not_retryable_fails_at_once():
    sleeps: list[float] = []
    with pytest.raises(ValueError):
        RetryPolicy(sleep=sleeps.append).call(lambda: (_ for _ in ()).throw(ValueError()), is_retryable=is_transient)
    assert sleeps == []
