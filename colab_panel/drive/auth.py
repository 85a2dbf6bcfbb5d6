"""Signing in to Drive where users are, and building a `Drive` from it.

    drive = connect()                    # auth="auto": emulator env -> Colab -> saved -> service account
    drive = connect(auth="colab")        # google.colab.auth.authenticate_user() + application default creds
    drive = connect(auth="saved")        # ~/.config/colab_panel/drive_credentials.json (mode 0600)
    drive = connect(credentials_file="mycreds.txt")   # PyDrive's SaveCredentialsFile (the tutorials' habit)
    drive = connect(auth="service_account", key_file="sa.json")
    drive = connect(auth="client_secrets", client_secrets="client_secrets.json")   # local Jupyter
    drive = connect(auth="emulator")     # COLAB_PANEL_DRIVE_EMULATOR{,_TOKEN,_CA} (set by the demo)
    drive = Drive.for_emulator(base_url, token, ca_cert_path)

PyDrive2 signs in through `drive.pydrive_auth` (why its credentials are wrapped is told there).

Tokens are never printed, logged or shown in a repr; the saved-credentials file is written
with mode 0600 under the user config dir (`$XDG_CONFIG_HOME/colab_panel`, default
`~/.config/colab_panel`), never in the working directory.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colab_panel.drive.pydrive_auth import GoogleAuthCredentials, signed_in_pydrive
from colab_panel.errors import DriveAuthError, DriveSignInNeedsCell
from colab_panel.inputs import os_error_in_words, shown, user_path

if TYPE_CHECKING:
    from colab_panel.drive.client import Drive
    from colab_panel.drive.retry import RetryPolicy

__all__ = ["DRIVE_SCOPE", "ENV_EMULATOR", "ENV_EMULATOR_TOKEN", "ENV_EMULATOR_CA", "AUTH_CHOICES", "GoogleAuthCredentials",
           "connect", "credentials_path", "load_pydrive_credentials", "pydrive_credentials_file", "drive_from_credentials", "emulator_drive", "save_credentials", "NO_CREDENTIALS_HELP"]

_log = logging.getLogger(__name__)

DRIVE_SCOPE = "https://www.googleapis.com/auth/drive"
ENV_EMULATOR = "COLAB_PANEL_DRIVE_EMULATOR"  # base URL, e.g. https://127.0.0.1:8443/
ENV_EMULATOR_TOKEN = "COLAB_PANEL_DRIVE_EMULATOR_TOKEN"
ENV_EMULATOR_CA = "COLAB_PANEL_DRIVE_EMULATOR_CA"  # path of the emulator's certificate
ENV_SERVICE_ACCOUNT = "COLAB_PANEL_DRIVE_SERVICE_ACCOUNT"  # path of a service-account key file
AUTH_CHOICES = ("auto", "emulator", "colab", "saved", "service_account", "client_secrets", "credentials_file")
CREDENTIALS_FILE = "drive_credentials.json"
PYDRIVE_CREDENTIALS_FILE = "mycreds.txt"  # the name the PyDrive tutorials save to and load from

NO_CREDENTIALS_HELP = (
    "No Google Drive credentials are available. In Colab, run the panel in a Colab notebook and allow "
    "Drive access when asked. In local Jupyter, run colab_panel.drive.connect(auth='client_secrets', "
    "client_secrets='client_secrets.json') once (it saves credentials for next time), or pass "
    "auth='service_account', key_file='key.json'. To try the panel without an account, run `colab-panel demo`."
)


def drive_from_credentials(credentials: Any, *, api_endpoint: str | None = None, ca_cert_path: str | Path | None = None,
                           description: str = "Google Drive", retry: RetryPolicy | None = None,
                           timeout: float | None = 60.0, **options: Any) -> Drive:
    """A `Drive` (PyDrive2 underneath) using google-auth `credentials`; `api_endpoint` for the emulator.
    `options` go to `Drive(...)` (chunk_size, upload_chunk_size)."""
    from colab_panel.drive.client import Drive

    pydrive = signed_in_pydrive(credentials, api_endpoint=api_endpoint, ca_cert_path=ca_cert_path, timeout=timeout)
    return Drive(pydrive, retry=retry, description=description, **options)


def emulator_drive(base_url: str, token: str, ca_cert_path: str | Path, *, retry: RetryPolicy | None = None,
                   credentials: Any = None, **options: Any) -> Drive:
    """A Drive for a `DriveEmulator`: bearer `token` (or google-auth `credentials`), trusting its CA."""
    from colab_panel.drive.client import Drive

    return Drive.for_emulator(base_url, token, ca_cert_path, retry=retry, credentials=credentials, **options)


# --- the saved-credentials file ---------------------------------------------------------------


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "colab_panel"


def credentials_path() -> Path:
    return config_dir() / CREDENTIALS_FILE


def save_credentials(info: dict[str, Any], path: Path | None = None) -> Path:
    """Write authorized-user JSON (client_id, client_secret, refresh_token, ...) with mode 0600."""
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(path.name + ".tmp")
    # Created 0600 from the start (not chmod-ed after), so the secret is never readable by others.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(info, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def load_saved_credentials(path: Path | None = None) -> Any:
    from google.oauth2.credentials import Credentials

    path = path or credentials_path()
    if not path.is_file():
        raise DriveAuthError(f"No saved Drive credentials at {path}. {NO_CREDENTIALS_HELP}")
    _refuse_if_others_could_have_written(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            # Only readable by others (writing was refused above): no one could have replaced the
            # token, but it must not stay readable.
            os.chmod(path, 0o600)
            _log.warning("drive: %s was readable by others; its mode is now 0600", path)
        return Credentials.from_authorized_user_file(str(path), scopes=[DRIVE_SCOPE])
    except OSError as exc:
        raise DriveAuthError(f"The saved Drive credentials at {path} cannot be read ({exc.strerror or exc}).") from None
    except (ValueError, KeyError) as exc:
        raise DriveAuthError(f"The saved Drive credentials at {path} are not usable ({type(exc).__name__}); "
                             "delete the file and sign in again.") from None


def _refuse_if_others_could_have_written(path: Path, what: str = "saved Drive credentials") -> None:
    """Refuse a credentials file someone else could have written: it may hold *their* token.

    A token planted by another user would make every Drive action of ours act on their Drive
    (uploads of checkpoints included). Repairing the mode afterwards proves nothing about what the
    file holds now, so it is refused, with what to do, instead of being chmod'ed and trusted.
    """
    info = path.stat()
    mode = stat.S_IMODE(info.st_mode)
    problem = None
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        problem = f"is owned by another user (uid {info.st_uid}, you are uid {os.geteuid()})"
    elif mode & 0o002:
        problem = f"is writable by anyone (mode {mode:04o})"
    elif mode & 0o020:
        problem = f"is writable by its group (mode {mode:04o})"
    if problem:
        raise DriveAuthError(
            f"The {what} at {path} {problem}, so someone else could have put their "
            "token there; they were not used. If you did not expect this, delete the file and sign "
            "in again (it is saved with mode 0600).")


# --- PyDrive's credentials file (mycreds.txt) -------------------------------------------------


def pydrive_credentials_file() -> Path | None:
    """`./mycreds.txt` when the working directory has one (what `connect()` picks up), else None."""
    path = Path.cwd() / PYDRIVE_CREDENTIALS_FILE
    return path if path.is_file() else None


def load_pydrive_credentials(path: str | Path) -> Any:
    """google-auth credentials from what oauth2client writes (`gauth.SaveCredentialsFile(path)`).

    Refused in words, never repaired and used: a file others could have written (it may hold their
    token, as for saved credentials), one that is not oauth2client's user-credentials JSON, and
    one with neither a refresh token nor an access token. Tokens never appear in a message.
    """
    import datetime

    from google.oauth2.credentials import Credentials

    path = Path(user_path(path, "The PyDrive credentials file", DriveAuthError)).expanduser()
    if not path.is_file():
        raise DriveAuthError(f"No PyDrive credentials file at {shown(str(path))}: pass the file that "
                             "gauth.SaveCredentialsFile() wrote (often mycreds.txt).")
    _refuse_if_others_could_have_written(path, what="PyDrive credentials file")
    try:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
            _log.warning("drive: %s was readable by others; its mode is now 0600", path)
        with open(path, "rb") as handle:
            data = json.loads(handle.read(1_000_001))
    except OSError as exc:
        raise DriveAuthError(os_error_in_words(exc, "The PyDrive credentials file cannot be read")) from None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("_class") not in ("OAuth2Credentials", "GoogleCredentials"):
        raise DriveAuthError(
            f"{shown(str(path))} is not a PyDrive credentials file (the JSON oauth2client writes for a signed-in "
            "user, with \"_class\": \"OAuth2Credentials\"). For a service-account key use "
            "connect(auth='service_account', key_file=...).")
    refresh_token, access_token = data.get("refresh_token"), data.get("access_token")
    if not (isinstance(refresh_token, str) and refresh_token) and not (isinstance(access_token, str) and access_token):
        raise DriveAuthError(f"{shown(str(path))} has neither a refresh token nor an access token: sign in "
                             "again and save it anew.")
    expiry = None
    if isinstance(data.get("token_expiry"), str):
        try:  # oauth2client writes UTC as "%Y-%m-%dT%H:%M:%SZ"; google-auth wants a naive UTC datetime
            expiry = datetime.datetime.strptime(data["token_expiry"], "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            expiry = None
    if expiry is None and refresh_token:
        expiry = datetime.datetime(1970, 1, 1)  # unknown age: refresh before the first request
    return Credentials(token=access_token or None, refresh_token=refresh_token or None,
                       token_uri=data.get("token_uri") or "https://oauth2.googleapis.com/token",
                       client_id=data.get("client_id"), client_secret=data.get("client_secret"),
                       scopes=[DRIVE_SCOPE], expiry=expiry)


def _pydrive_file(path: str | Path, retry: RetryPolicy | None) -> Drive:
    credentials = load_pydrive_credentials(path)
    description = f"Google Drive (PyDrive credentials {Path(path).name})"
    url, ca = os.environ.get(ENV_EMULATOR), os.environ.get(ENV_EMULATOR_CA)
    if url and ca:  # the emulator stands in for Google (demo, tests): the file's token goes there
        base = url.rstrip("/") + "/"
        return drive_from_credentials(credentials, api_endpoint=base + "drive/v2/", ca_cert_path=ca,
                                      description=description, retry=retry)
    return drive_from_credentials(credentials, description=description, retry=retry)


# --- choosing ---------------------------------------------------------------------------------


def _emulator_from_env(retry: RetryPolicy | None) -> Drive:
    url = os.environ.get(ENV_EMULATOR)
    token = os.environ.get(ENV_EMULATOR_TOKEN)
    ca = os.environ.get(ENV_EMULATOR_CA)
    if not (url and token and ca):
        raise DriveAuthError(f"The Drive emulator is not configured: set {ENV_EMULATOR}, {ENV_EMULATOR_TOKEN} "
                             f"and {ENV_EMULATOR_CA} (colab-panel demo does this).")
    return emulator_drive(url, token, ca, retry=retry)


SIGN_IN_CALL = "from colab_panel import sign_in; sign_in()"
COLAB_NEEDS_CELL = (
    "Colab asks for Google sign-in only from a running cell, not from a button. Run this in a "
    f"new cell, allow Drive access, then use the Drive tab again:  {SIGN_IN_CALL}")
COLAB_ENTERPRISE = (
    "Colab Enterprise does not sign you in to Google Drive from a notebook: its runtime runs as "
    "a service account, and google.colab.auth.authenticate_user() returns without your "
    "credentials. Share the Drive folders you need with that service account and connect with "
    "connect(auth='service_account', key_file='key.json'), or copy the data to Cloud Storage.")


def _colab_user_credentials() -> Any | None:
    """Credentials Colab already holds for the signed-in user (an earlier sign-in or Drive
    mount in this runtime), found without asking anything; None when there are none."""
    import google.auth
    from google.auth import compute_engine
    from google.auth.exceptions import DefaultCredentialsError

    try:
        credentials, _project = google.auth.default(scopes=[DRIVE_SCOPE])
    except DefaultCredentialsError:
        return None
    # The runtime's own service account is not the user: Drive would show its files, not yours.
    return None if isinstance(credentials, compute_engine.Credentials) else credentials


def _colab(retry: RetryPolicy | None) -> Drive:
    from colab_panel.runtime.frontend import in_running_cell

    try:
        from google.colab import auth as colab_auth
    except ImportError:
        raise DriveAuthError("auth='colab' works only inside Google Colab. " + NO_CREDENTIALS_HELP) from None
    if os.environ.get("VERTEX_PRODUCT") == "COLAB_ENTERPRISE":
        raise DriveAuthError(COLAB_ENTERPRISE)
    credentials = _colab_user_credentials()
    if credentials is None:
        if not in_running_cell():
            # authenticate_user() would ask through the kernel's stdin (or input()), which no
            # front end answers for a click or a thread: it would wait forever.
            raise DriveSignInNeedsCell(COLAB_NEEDS_CELL)
        colab_auth.authenticate_user()
        credentials = _colab_user_credentials()
    if credentials is None:
        raise DriveAuthError("Colab sign-in did not produce Drive credentials. Run "
                             f"`{SIGN_IN_CALL}` again and allow Drive access when asked.")
    return drive_from_credentials(credentials, description="Google Drive (Colab sign-in)", retry=retry)


_signed_in_listeners: list[Any] = []


def on_sign_in(listener: Any) -> Any:
    """Call `listener()` after each successful `sign_in()`; returns a function that removes it."""
    _signed_in_listeners.append(listener)
    return lambda: _signed_in_listeners.remove(listener) if listener in _signed_in_listeners else None


def sign_in(auth: str = "auto", **kwargs: Any) -> Drive:
    """Sign in to Drive from a cell (where Colab can ask) and let open panels use it.

    In Colab the Drive tab cannot ask for sign-in from a button; it tells you to run this."""
    drive = connect(auth, **kwargs)
    for listener in list(_signed_in_listeners):
        try:
            listener()
        except Exception:  # a closed panel's listener must not fail the sign-in
            pass
    return drive


def _service_account(key_file: str | Path | None, retry: RetryPolicy | None) -> Drive:
    from google.oauth2 import service_account

    key_file = key_file or os.environ.get(ENV_SERVICE_ACCOUNT)
    if key_file is not None:
        key_file = user_path(key_file, "The service-account key file", DriveAuthError)
    if not key_file or not Path(key_file).is_file():
        raise DriveAuthError(f"No service-account key file at {shown(str(key_file))}. Pass key_file='key.json' "
                             f"or set {ENV_SERVICE_ACCOUNT}.")
    try:
        credentials = service_account.Credentials.from_service_account_file(str(key_file), scopes=[DRIVE_SCOPE])
    except OSError as exc:
        raise DriveAuthError(os_error_in_words(exc, "The service-account key file cannot be read")) from None
    except (ValueError, KeyError) as exc:
        raise DriveAuthError(f"{shown(str(key_file))} is not a usable service-account key ({type(exc).__name__}).") from None
    return drive_from_credentials(credentials, description=f"Google Drive (service account {credentials.service_account_email})",
                                  retry=retry)


def _client_secrets(client_secrets: str | Path | None, retry: RetryPolicy | None) -> Drive:
    """PyDrive2's local-webserver flow without opening a browser: it prints the URL to visit
    (no out-of-band code copy, which Google retired); the refresh token is then saved 0600."""
    from google.oauth2.credentials import Credentials
    from pydrive2.auth import GoogleAuth

    if client_secrets is not None:
        client_secrets = user_path(client_secrets, "The OAuth client secrets file", DriveAuthError)
    if not client_secrets or not Path(client_secrets).is_file():
        raise DriveAuthError(f"No OAuth client secrets file at {shown(str(client_secrets))}. Download one from the "
                             "Google Cloud console (OAuth client, type Desktop) and pass client_secrets='path.json'.")
    _check_client_secrets(Path(client_secrets))
    settings = {"client_config_backend": "file", "client_config_file": str(client_secrets),
                "save_credentials": False, "get_refresh_token": True, "oauth_scope": [DRIVE_SCOPE]}
    flow_auth = GoogleAuth(settings=settings)
    flow_auth.LocalWebserverAuth(launch_browser=False)
    old = flow_auth.credentials
    info = {"type": "authorized_user", "client_id": old.client_id, "client_secret": old.client_secret,
            "refresh_token": old.refresh_token, "token_uri": old.token_uri}
    save_credentials(info)
    credentials = Credentials.from_authorized_user_info(info, scopes=[DRIVE_SCOPE])
    return drive_from_credentials(credentials, description="Google Drive (your account)", retry=retry)


def _check_client_secrets(path: Path) -> None:
    """Refuse a file that is not an OAuth client JSON before the sign-in flow starts on it."""
    try:
        with open(path, "rb") as f:
            config = json.loads(f.read(1_000_001))
    except OSError as exc:
        raise DriveAuthError(os_error_in_words(exc, "The OAuth client secrets file cannot be read")) from None
    except ValueError:
        config = None
    if not isinstance(config, dict) or not any(isinstance(config.get(k), dict) for k in ("installed", "web")):
        raise DriveAuthError(f"{shown(str(path))} is not an OAuth client secrets file (JSON with an 'installed' or "
                             "'web' client): download one from the Google Cloud console (OAuth client, Desktop).")


def connect(auth: str = "auto", *, key_file: str | Path | None = None, client_secrets: str | Path | None = None,
            credentials_file: str | Path | None = None, retry: RetryPolicy | None = None) -> Drive:
    """A signed-in `Drive`. `credentials_file` (PyDrive's `mycreds.txt`) is used when given.
    Otherwise `auth="auto"` tries, in order: the emulator named by the environment,
    `./mycreds.txt`, Colab's sign-in, saved credentials, a service account from the
    environment. Raises `DriveAuthError` with what to do when nothing works."""
    if not isinstance(auth, str) or auth not in AUTH_CHOICES:
        raise DriveAuthError(f"Unknown auth {shown(auth)}; choose one of: {', '.join(AUTH_CHOICES)}.")
    if credentials_file is not None and auth in ("auto", "credentials_file"):
        return _pydrive_file(credentials_file, retry)
    if auth == "credentials_file":
        return _pydrive_file(pydrive_credentials_file() or PYDRIVE_CREDENTIALS_FILE, retry)
    if auth == "emulator" or (auth == "auto" and os.environ.get(ENV_EMULATOR)):
        return _emulator_from_env(retry)
    if auth == "colab":
        return _colab(retry)
    if auth == "saved":
        return drive_from_credentials(load_saved_credentials(), description="Google Drive (saved sign-in)", retry=retry)
    if auth == "service_account":
        return _service_account(key_file, retry)
    if auth == "client_secrets":
        return _client_secrets(client_secrets, retry)
    from colab_panel.runtime.frontend import in_colab

    found = pydrive_credentials_file()
    if found is not None:  # the tutorials' habit: a sign-in saved next to the notebook
        return _pydrive_file(found, retry)
    if in_colab():
        return _colab(retry)
    if credentials_path().is_file():
        return connect("saved", retry=retry)
    if key_file or os.environ.get(ENV_SERVICE_ACCOUNT):
        return _service_account(key_file, retry)
    raise DriveAuthError(NO_CREDENTIALS_HELP)
