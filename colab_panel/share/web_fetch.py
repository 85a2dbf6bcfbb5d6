"""Fetch a Drive web page as an anonymous visitor: no credentials, no cookies, no redirects followed.

One small transport interface (`Fetch`: url -> `WebAnswer`) that the real fetcher and tests both
satisfy; `WebFetcher.for_emulator` points Google's web hosts at the loopback Drive emulator.
Only the start of a body is read (a large file's bytes never come through: the headers decide).
"""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import IO, Protocol
from urllib.parse import urlsplit, urlunsplit

__all__ = ["Fetch", "WebAnswer", "WebFetcher", "GOOGLE_WEB_HOSTS"]

GOOGLE_WEB_HOSTS = frozenset({"drive.google.com", "docs.google.com", "drive.usercontent.google.com",
                              "accounts.google.com"})
_BODY_LIMIT_BYTES = 64 * 1024  # enough for any interstitial page; a file's bytes stop here
_USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) colab-panel link check"


@dataclass(frozen=True)
class WebAnswer:
    """What a visitor's browser got: status, headers (lower-cased names), the start of the body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @property
    def location(self) -> str:
        return self.headers.get("location", "")


class Fetch(Protocol):
    def __call__(self, url: str) -> WebAnswer: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is an answer in itself (sign-in page, item page)


class WebFetcher:
    """The real fetcher; `rewrite_to` sends Google's web hosts to another base URL (the emulator)."""

    def __init__(self, *, rewrite_to: str | None = None, ca_file: str | Path | None = None,
                 timeout_s: float = 20.0) -> None:
        self.rewrite_to = rewrite_to
        self.timeout_s = timeout_s
        context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
        # No cookie processor: whatever a browser of ours holds must not make a link look public.
        self._opener = urllib.request.build_opener(_NoRedirect(), urllib.request.HTTPSHandler(context=context))

    @classmethod
    def for_emulator(cls, base_url: str, ca_cert_path: str | Path, *, timeout_s: float = 20.0) -> WebFetcher:
        return cls(rewrite_to=base_url, ca_file=ca_cert_path, timeout_s=timeout_s)

    @classmethod
    def from_environment(cls, *, timeout_s: float = 20.0) -> WebFetcher:
        """The emulator's anonymous side when the Drive emulator's variables are set (demo,
        tests), else the real web: the visitor must see the same Drive the panel signs in to."""
        import os

        from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA

        url = os.environ.get(ENV_EMULATOR)
        ca_file = os.environ.get(ENV_EMULATOR_CA, "")
        return cls.for_emulator(url, ca_file, timeout_s=timeout_s) if url else cls(timeout_s=timeout_s)

    def _address(self, url: str) -> str:
        if not self.rewrite_to:
            return url
        parts = urlsplit(url)
        if (parts.hostname or "").lower() not in GOOGLE_WEB_HOSTS:
            return url
        base = urlsplit(self.rewrite_to)
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def __call__(self, url: str) -> WebAnswer:
        request = urllib.request.Request(self._address(url), headers={"User-Agent": _USER_AGENT})
        try:
            response = self._opener.open(request, timeout=self.timeout_s)
        except urllib.error.HTTPError as answer:  # 3xx (not followed), 4xx, 5xx: all are answers
            with answer:
                return _answer(url, answer.code, answer.headers, answer)
        with response:
            return _answer(url, response.status, response.headers, response)


def _answer(url: str, status: int, headers: Message, body: IO[bytes]) -> WebAnswer:
    names = {str(k).lower(): str(v) for k, v in headers.items()}
    is_page = names.get("content-type", "").startswith(("text/", "application/json"))
    raw = body.read(_BODY_LIMIT_BYTES) if is_page and "content-disposition" not in names else b""
    return WebAnswer(url, status, names, raw.decode("utf-8", "replace"))
