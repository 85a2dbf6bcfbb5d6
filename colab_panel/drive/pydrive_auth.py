"""PyDrive2 signed in with google-auth credentials, for `Drive` to wrap (no `Drive` here: the
client and `auth` both build theirs from this).

Why credentials are wrapped (`GoogleAuthCredentials`): PyDrive2 is built on oauth2client.
Before every call its `LoadAuth` decorator checks `credentials.access_token_expired` and, if
true, runs `LocalWebserverAuth()` -- a browser flow that cannot work in Colab, where the
token from `authenticate_user()` expires after about an hour (PyDrive2#187,
colabtools#392). Here PyDrive2 is given an adapter over **google-auth** credentials: its
`access_token_expired` refreshes through google-auth (ADC's refresh token, the metadata
server, or a service-account assertion) and answers False, and its `authorize(http)` returns
a `google_auth_httplib2.AuthorizedHttp`, which refreshes before a request when the token is
stale and once more on a 401. PyDrive2 itself is not modified and never reaches its web flow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["GoogleAuthCredentials", "signed_in_pydrive"]


class GoogleAuthCredentials:
    """oauth2client-shaped credentials for PyDrive2 that refresh through google-auth (see module doc)."""

    def __init__(self, credentials: Any, *, refresh_http: Any = None) -> None:
        self.credentials = credentials  # a google.auth.credentials.Credentials
        self._refresh_http = refresh_http  # an httplib2.Http for refresh calls (None: a default one)

    def __repr__(self) -> str:
        return f"<GoogleAuthCredentials {type(self.credentials).__name__}>"

    def _request(self) -> Any:
        import google_auth_httplib2
        import httplib2

        return google_auth_httplib2.Request(self._refresh_http or httplib2.Http(timeout=60))

    @property
    def access_token_expired(self) -> bool:
        # Refresh here rather than answer True: True sends PyDrive2 into LocalWebserverAuth.
        if not self.credentials.valid:
            self.credentials.refresh(self._request())
        return False

    @property
    def refresh_token(self) -> str | None:
        return "google-auth"  # non-None: PyDrive2's CheckAuth then calls Refresh(), never a web flow

    def refresh(self, http: Any = None) -> None:
        self.credentials.refresh(self._request())

    def authorize(self, http: Any) -> Any:
        import google_auth_httplib2

        authorized = google_auth_httplib2.AuthorizedHttp(self.credentials, http=http)
        # googleapiclient's resumable uploads read these from the Http they are given.
        authorized.redirect_codes = getattr(http, "redirect_codes", set())
        return authorized

    def set_store(self, store: Any) -> None:
        """PyDrive2 hands us its storage; persistence is ours (`save_credentials`), so ignore it."""

    def apply(self, headers: dict[str, str]) -> None:
        self.credentials.apply(headers)


def _auth_class(ca_cert_path: str | None, timeout: float | None) -> Any:
    from pydrive2.auth import GoogleAuth

    class PanelAuth(GoogleAuth):
        """GoogleAuth with no settings file read, optional extra CA (the emulator), our credentials."""

        def __init__(self) -> None:
            super().__init__(settings_file=None, http_timeout=timeout)
            self.auth_method = "colab_panel"

        def _build_http(self, *, resend_any: bool = False) -> Any:
            # DriveHttp: a pooled connection Drive closed while idle is survived without ever
            # sending twice a request Drive may have acted on (see drive/connection.py).
            from colab_panel.drive.connection import DriveHttp

            http = DriveHttp(timeout=self.http_timeout, ca_certs=ca_cert_path, resend_any=resend_any)
            http.redirect_codes = http.redirect_codes - {308}  # 308 means "resume" to uploads
            return http

        def __repr__(self) -> str:
            return "<PanelAuth>"

    return PanelAuth


def signed_in_pydrive(credentials: Any, *, api_endpoint: str | None = None, ca_cert_path: str | Path | None = None,
                      timeout: float | None = 60.0) -> Any:
    """A `pydrive2.drive.GoogleDrive` using google-auth `credentials`; `api_endpoint` for the emulator."""
    from googleapiclient.discovery import build
    from pydrive2.drive import GoogleDrive

    auth = _auth_class(str(ca_cert_path) if ca_cert_path else None, timeout)()
    refresh_http = auth._build_http(resend_any=True)  # a token request sent twice only yields two tokens
    auth.credentials = GoogleAuthCredentials(credentials, refresh_http=refresh_http)
    auth.http = auth.credentials.authorize(auth._build_http())
    client_options = {"api_endpoint": api_endpoint} if api_endpoint else None
    auth.service = build("drive", "v2", http=auth.http, cache_discovery=False, static_discovery=True,
                         client_options=client_options)
    return GoogleDrive(auth)
