"""Clients for the emulator built from the real, unmodified libraries.

    service = build_service(emu.base_url, emu.token, emu.ca_cert_path)   # googleapiclient v2
    drive = pydrive2_drive(emu.base_url, emu.token, emu.ca_cert_path)    # pydrive2 GoogleDrive

How the endpoint is swapped without patching anything:
- googleapiclient: `build("drive", "v2", static_discovery=True, client_options={"api_endpoint": ...})`.
  `api_endpoint` replaces rootUrl+servicePath, so it is `BASE/drive/v2/`; media uploads keep
  their `/upload/drive/v2/...` path and get only their host swapped (hence HTTPS here).
- TLS trust: an `httplib2.Http(ca_certs=emu.ca_cert_path)`; 308 is removed from its redirect
  codes, as PyDrive2 and googleapiclient do, because resumable uploads use 308 for "continue".
- PyDrive2: a `GoogleAuth` subclass whose `_build_http` adds the CA path (PyDrive2 builds a
  fresh per-thread Http for every call through it), with oauth2client `AccessTokenCredentials`
  for the bearer token, and our service set as `auth.service` so PyDrive2 never builds its own.
  Downloads (`GetContentFile` via files.get_media, `FetchContent` via `downloadUrl`) and
  uploads (`Upload()`, resumable) therefore all go to the emulator.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httplib2
    import pydrive2.drive

DEFAULT_TIMEOUT_S = 60.0


def make_http(ca_cert_path: str | Path, timeout: float | None = DEFAULT_TIMEOUT_S) -> httplib2.Http:
    """An httplib2.Http that trusts the emulator's certificate and leaves 308 to resumable uploads."""
    import httplib2

    http = httplib2.Http(ca_certs=str(ca_cert_path), timeout=timeout)
    http.redirect_codes = http.redirect_codes - {308}
    return http


def build_service(
    base_url: str,
    token: str,
    ca_cert_path: str | Path,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> Any:
    """A googleapiclient Drive v2 Resource sending `Authorization: Bearer <token>` to `base_url`."""
    from googleapiclient.discovery import build
    from oauth2client.client import AccessTokenCredentials

    credentials = AccessTokenCredentials(token, "colab-panel")
    http = credentials.authorize(make_http(ca_cert_path, timeout))
    return build(
        "drive",
        "v2",
        http=http,
        cache_discovery=False,
        static_discovery=True,
        client_options={"api_endpoint": base_url.rstrip("/") + "/drive/v2/"},
    )


def pydrive2_drive(
    base_url: str,
    token: str,
    ca_cert_path: str | Path,
    *,
    timeout: float | None = DEFAULT_TIMEOUT_S,
) -> pydrive2.drive.GoogleDrive:
    """A PyDrive2 GoogleDrive whose every request goes to the emulator over verified TLS."""
    from oauth2client.client import AccessTokenCredentials
    from pydrive2.drive import GoogleDrive

    auth = _emulator_auth_class()(ca_cert_path, timeout)
    auth.credentials = AccessTokenCredentials(token, "colab-panel")
    auth.http = auth.credentials.authorize(auth._build_http())
    auth.service = build_service(base_url, token, ca_cert_path, timeout=timeout)
    return GoogleDrive(auth)


def close_pydrive2(drive: pydrive2.drive.GoogleDrive) -> None:
    """Close the connections a GoogleDrive built here holds (httplib2 never closes them on its own).

    Only the calling thread's per-thread Http is reachable; others close when their thread ends.
    """
    auth = drive.auth
    for http in (getattr(auth.thread_local, "http", None), auth.http):
        if http is not None:
            http.close()
    if auth.service is not None:
        auth.service.close()


def _emulator_auth_class() -> type:
    # Defined lazily so importing this module does not import pydrive2.
    from pydrive2.auth import GoogleAuth

    class EmulatorAuth(GoogleAuth):
        """GoogleAuth that trusts the emulator's CA in every Http it builds; no settings file read."""

        def __init__(self, ca_cert_path: str | Path, timeout: float | None) -> None:
            super().__init__(settings_file=None, http_timeout=timeout)
            self._ca_cert_path = str(ca_cert_path)
            self.auth_method = "emulator"

        def _build_http(self) -> httplib2.Http:
            return make_http(self._ca_cert_path, self.http_timeout)

    return EmulatorAuth
