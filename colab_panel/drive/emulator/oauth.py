"""Google's OAuth 2.0 token endpoint: service accounts (the JWT bearer grant, RFC 7523) and refresh tokens.

    key = emu.add_service_account("ci@project.iam.gserviceaccount.com")   # a key file's JSON
    GoogleAuth(...).ServiceAuth()   # with that key: oauth2client signs a JWT, POSTs it to
                                    # key["token_uri"] (this endpoint) and gets a bearer token

A service account's key file names its token endpoint (`token_uri`), and oauth2client and
google-auth both honour it, so a client configured with a key made here asks the emulator for
its tokens without any patching. What is checked is what Google checks: the grant type, an
RS256 signature by the account's registered key (`kid` names it), `aud` equal to the token
endpoint, and an `iat`..`exp` window of at most an hour that contains now. Errors are answered
in OAuth's shape, `{"error": "invalid_grant", "error_description": ...}` with status 400.
Delegation (`sub`, domain-wide authority) is refused as for an account never granted it.

A user's saved sign-in (PyDrive's `mycreds.txt`) holds a refresh token instead:
`emu.add_refresh_token(email, client_id, client_secret)` registers one, and the `refresh_token`
grant trades it for an access token when the client id and secret match, as Google's does.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from colab_panel.drive.emulator.wire import ApiResponse

TOKEN_PATH = "/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REFRESH = "refresh_token"
TOKEN_LIFETIME_S = 3599  # what Google answers: just under an hour
MAX_ASSERTION_LIFETIME_S = 3600
CLOCK_SKEW_S = 300


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error, self.description, self.status = error, description, status

    def response(self) -> ApiResponse:
        body = json.dumps({"error": self.error, "error_description": self.description}).encode()
        return ApiResponse(self.status, {"Content-Type": "application/json; charset=utf-8"}, body)


@dataclass(frozen=True)
class ServiceAccountKey:
    email: str
    key_id: str
    public_key: Any  # cryptography RSAPublicKey


class ServiceAccounts:
    """Registered service-account keys, and the token endpoint that trades a signed JWT for a token."""

    def __init__(self) -> None:
        self._keys: dict[str, ServiceAccountKey] = {}  # by key id
        self._refresh_tokens: dict[str, tuple[str, str, str]] = {}  # token -> (email, client id, secret)
        self._lock = threading.Lock()

    def create_refresh_token(self, email: str, client_id: str, client_secret: str) -> str:
        """A refresh token for `email`, valid only with this OAuth client's id and secret."""
        token = "1//emu-" + secrets.token_urlsafe(24)
        with self._lock:
            self._refresh_tokens[token] = (email, client_id, client_secret)
        return token

    def create_key(self, email: str, token_uri: str, project_id: str = "colab-panel-emulator") -> dict[str, str]:
        """A new RSA key for `email`, registered here; returns the key file's JSON as Google issues it."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        key_id = secrets.token_hex(20)
        with self._lock:
            self._keys[key_id] = ServiceAccountKey(email=email, key_id=key_id, public_key=private_key.public_key())
        pem = private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        return {
            "type": "service_account",
            "project_id": project_id,
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": str(int.from_bytes(secrets.token_bytes(8), "big")),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": token_uri,
            "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
            "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/" + email.replace("@", "%40"),
        }

    def token(self, method: str, form_body: bytes, now: float | None = None) -> tuple[str, int]:
        """Check a token request; return (service account email, lifetime in seconds) or raise OAuthError."""
        if method != "POST":
            raise OAuthError("invalid_request", "The token endpoint takes POST.", status=405)
        form = {name: values[0] for name, values in parse_qs(form_body.decode("utf-8", "replace")).items()}
        grant_type = form.get("grant_type")
        if grant_type == REFRESH:
            return self._refreshed(form), TOKEN_LIFETIME_S
        if grant_type != JWT_BEARER:
            raise OAuthError("unsupported_grant_type", f"Invalid grant_type: {grant_type or ''}")
        assertion = form.get("assertion")
        if not assertion:
            raise OAuthError("invalid_request", "Missing required parameter: assertion")
        claims = self._verified_claims(assertion, time.time() if now is None else now)
        return claims["iss"], TOKEN_LIFETIME_S

    def _refreshed(self, form: dict[str, str]) -> str:
        with self._lock:
            known = self._refresh_tokens.get(form.get("refresh_token") or "")
        if known is None:
            raise OAuthError("invalid_grant", "Token has been expired or revoked.")
        email, client_id, client_secret = known
        if (form.get("client_id"), form.get("client_secret")) != (client_id, client_secret):
            raise OAuthError("invalid_client", "The OAuth client was not found.", status=401)
        return email

    def _verified_claims(self, assertion: str, now: float) -> dict[str, Any]:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            header_b64, payload_b64, signature_b64 = assertion.split(".")
            header = json.loads(_b64decode(header_b64))
            claims = json.loads(_b64decode(payload_b64))
            signature = _b64decode(signature_b64)
        except ValueError:
            raise OAuthError("invalid_grant", "Invalid JWT: not three base64url-encoded JSON parts.") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise OAuthError("invalid_grant", "Invalid JWT: header and claims must be JSON objects.")
        if header.get("alg") != "RS256":
            raise OAuthError("invalid_grant", "Invalid JWT: only RS256 is accepted.")
        with self._lock:
            key = self._keys.get(str(header.get("kid"))) if header.get("kid") else None
            if key is None:  # no kid: any key registered for the issuer may have signed it
                candidates = [k for k in self._keys.values() if k.email == claims.get("iss")]
            else:
                candidates = [key]
        signed = f"{header_b64}.{payload_b64}".encode()
        for candidate in candidates:
            try:
                candidate.public_key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            if candidate.email != claims.get("iss"):
                break
            return self._checked_claims(claims, now)
        raise OAuthError("invalid_grant", "Invalid JWT Signature.")

    @staticmethod
    def _checked_claims(claims: dict[str, Any], now: float) -> dict[str, Any]:
        if urlsplit(str(claims.get("aud", ""))).path != TOKEN_PATH:
            raise OAuthError("invalid_grant", "Invalid JWT: aud must be the token endpoint.")
        try:
            issued, expires = int(claims["iat"]), int(claims["exp"])
        except (KeyError, TypeError, ValueError):
            raise OAuthError("invalid_grant", "Invalid JWT: iat and exp are required.") from None
        if expires - issued > MAX_ASSERTION_LIFETIME_S:
            raise OAuthError("invalid_grant", "Invalid JWT: Expiration time must be at most one hour after issue time.")
        if not issued - CLOCK_SKEW_S <= now <= expires + CLOCK_SKEW_S:
            raise OAuthError("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
        if not claims.get("scope"):
            raise OAuthError("invalid_scope", "Empty or missing scope not allowed.")
        if claims.get("sub") and claims["sub"] != claims["iss"]:
            raise OAuthError("unauthorized_client", "Client is unauthorized to retrieve access tokens using this method.")
        return claims


def token_response(access_token: str, lifetime_s: int) -> ApiResponse:
    body = json.dumps({"access_token": access_token, "expires_in": lifetime_s, "token_type": "Bearer"}).encode()
    return ApiResponse(200, {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}, body)


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
