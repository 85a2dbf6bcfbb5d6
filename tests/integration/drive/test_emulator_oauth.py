"""Service-account sign-in against the emulator's token endpoint, with unmodified oauth2client/PyDrive2."""

from __future__ import annotations

import base64
import json
import time
from typing import Any
from urllib.parse import urlencode

import httplib2
import pytest

from colab_panel.drive.emulator import DriveEmulator
from colab_panel.drive.emulator.client import make_http

SA = "robot@project.iam.gserviceaccount.com"


@pytest.fixture(autouse=True)
def _oauth2client_can_sign(monkeypatch: pytest.MonkeyPatch) -> None:
    """oauth2client (unmaintained) signs with pyOpenSSL's `crypto.sign` whenever pyOpenSSL
    imports, and pyOpenSSL 24.3 removed it: on Colab's pins (pyOpenSSL 26) every oauth2client
    service-account sign-in fails before a request is sent. These tests are about the
    emulator's token endpoint, not that, so there oauth2client gets its own pure-Python RSA
    signer, the one it picks when pyOpenSSL is absent. (colab_panel's own service-account
    sign-in uses google-auth and is not affected.)"""
    from oauth2client import crypt

    try:
        from OpenSSL import crypto
    except ImportError:
        return
    if not hasattr(crypto, "sign"):
        monkeypatch.setattr(crypt, "Signer", crypt.RsaSigner)


def _post_token(emulator: DriveEmulator, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
    http = make_http(emulator.ca_cert_path)
    try:
        resp, body = http.request(emulator.token_uri, "POST", body=urlencode(form),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    finally:
        http.close()
    return resp.status, json.loads(body)


def _signed_jwt(key: dict[str, str], **overrides: Any) -> str:
    """A JWT bearer assertion signed the way Google's client libraries sign one."""
    from oauth2client import crypt

    now = int(time.time())
    claims = {"iss": key["client_email"], "aud": key["token_uri"], "scope": "https://www.googleapis.com/auth/drive",
              "iat": now, "exp": now + 3600, **overrides}
    signer = crypt.Signer.from_string(key["private_key"])
    return crypt.make_signed_jwt(signer, claims, key_id=key["private_key_id"]).decode()


def test_pydrive2_service_auth_with_an_emulator_key(emulator: DriveEmulator) -> None:
    from googleapiclient.discovery import build
    from pydrive2.auth import GoogleAuth
    from pydrive2.drive import GoogleDrive

    class TrustingAuth(GoogleAuth):  # PyDrive2's own seam for its Http objects, as client.EmulatorAuth uses
        def _build_http(self) -> httplib2.Http:
            return make_http(emulator.ca_cert_path)

    key = emulator.add_service_account(SA, name="Robot")
    assert key["type"] == "service_account" and key["token_uri"] == emulator.token_uri
    auth = TrustingAuth(settings={
        "client_config_backend": "service",
        "service_config": {"client_json_dict": key},
        "oauth_scope": ["https://www.googleapis.com/auth/drive"],
    })
    auth.ServiceAuth()  # builds PyDrive2's service for www.googleapis.com; swap in one for the emulator
    auth.service = build("drive", "v2", http=auth.http, cache_discovery=False,
                         client_options={"api_endpoint": emulator.api_endpoint})
    about = GoogleDrive(auth).GetAbout()

    assert about["user"]["emailAddress"] == SA  # the token stands for the service account
    assert emulator.requests.count(method="POST", path="/token", status=200) == 1
    auth.service.close()
    auth.thread_local.http.close()


def test_token_endpoint_checks_what_google_checks(emulator: DriveEmulator) -> None:
    key = emulator.add_service_account(SA)
    grant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

    status, body = _post_token(emulator, {"grant_type": grant, "assertion": _signed_jwt(key)})
    assert status == 200 and body["token_type"] == "Bearer" and body["expires_in"] > 3000
    assert emulator.tokens[body["access_token"]] == SA

    other = emulator.add_service_account("other@project.iam.gserviceaccount.com")
    forged = _signed_jwt({**other, "client_email": SA})  # another account's key claiming to be SA
    cases = {
        "wrong grant": ({"grant_type": "password", "assertion": _signed_jwt(key)}, "unsupported_grant_type"),
        "no assertion": ({"grant_type": grant}, "invalid_request"),
        "garbage": ({"grant_type": grant, "assertion": "a.b.c"}, "invalid_grant"),
        "forged": ({"grant_type": grant, "assertion": forged}, "invalid_grant"),
        "expired": ({"grant_type": grant, "assertion": _signed_jwt(key, iat=1_000_000, exp=1_003_600)}, "invalid_grant"),
        "too long": ({"grant_type": grant, "assertion": _signed_jwt(key, exp=int(time.time()) + 7200)}, "invalid_grant"),
        "wrong audience": ({"grant_type": grant, "assertion": _signed_jwt(key, aud="https://example.com/x")}, "invalid_grant"),
        "delegation": ({"grant_type": grant, "assertion": _signed_jwt(key, sub="boss@example.com")}, "unauthorized_client"),
    }
    for name, (form, error) in cases.items():
        status, body = _post_token(emulator, form)
        assert (name, status, body["error"]) == (name, 400, error)


def test_an_unsigned_token_request_never_yields_a_token(emulator: DriveEmulator) -> None:
    key = emulator.add_service_account(SA)
    header, claims, _ = _signed_jwt(key).split(".")
    unsigned = f"{header}.{claims}." + base64.urlsafe_b64encode(b"\0" * 256).decode().rstrip("=")
    before = dict(emulator.tokens)
    status, body = _post_token(emulator, {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": unsigned})
    assert (status, body["error"]) == (400, "invalid_grant") and emulator.tokens == before


def test_token_endpoint_needs_no_bearer_but_the_api_does(emulator: DriveEmulator) -> None:
    http = httplib2.Http(ca_certs=str(emulator.ca_cert_path))
    resp, _ = http.request(emulator.api_endpoint + "about")
    assert resp.status == 401
    resp, body = http.request(emulator.token_uri, "GET")
    assert resp.status == 405 and json.loads(body)["error"] == "invalid_request"
    http.close()


@pytest.mark.parametrize("flavour", ["file", "dict"])
def test_saved_service_credentials_reload(emulator: DriveEmulator, tmp_path: Any, flavour: str) -> None:
    """What PyDrive2 saves for a service account (token_uri included) signs in again on reload."""
    from oauth2client.service_account import ServiceAccountCredentials

    key = emulator.add_service_account(SA)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(key))
    if flavour == "file":
        credentials = ServiceAccountCredentials.from_json_keyfile_name(str(path), scopes="https://www.googleapis.com/auth/drive")
    else:
        credentials = ServiceAccountCredentials.from_json_keyfile_dict(key, scopes="https://www.googleapis.com/auth/drive")
    reloaded = ServiceAccountCredentials.from_json(credentials.to_json())
    http = reloaded.authorize(make_http(emulator.ca_cert_path))
    resp, body = http.request(emulator.api_endpoint + "about")
    assert resp.status == 200 and json.loads(body)["user"]["emailAddress"] == SA
    http.close()
