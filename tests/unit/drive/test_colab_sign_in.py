"""Colab sign-in from where the user is: a click uses credentials Colab already holds or says
which one-line call to run (Colab asks only from a running cell); Colab Enterprise is
explained; `sign_in()` lets an open Drive tab connect."""

from __future__ import annotations

import sys
import threading
import types

import pytest

from colab_panel.drive import auth
from colab_panel.errors import DriveAuthError, DriveSignInNeedsCell


class _UserCredentials:
    """Stands for google.oauth2.credentials.Credentials: not the runtime's service account."""


@pytest.fixture
def colab(monkeypatch):
    """Colab's `google.colab.auth` as far as sign-in uses it, and google.auth.default()."""
    import google.auth

    state = {"signed_in": False, "asked": 0}

    def authenticate_user(clear_output=True, project_id=None):
        state["asked"] += 1
        state["signed_in"] = True

    def default(scopes=None, **_):
        if not state["signed_in"]:
            raise google.auth.exceptions.DefaultCredentialsError("no ADC")
        return _UserCredentials(), "project"

    colab_pkg = types.ModuleType("google.colab")
    colab_auth = types.ModuleType("google.colab.auth")
    colab_auth.authenticate_user = authenticate_user
    colab_pkg.auth = colab_auth
    monkeypatch.setitem(sys.modules, "google.colab", colab_pkg)
    monkeypatch.setitem(sys.modules, "google.colab.auth", colab_auth)
    monkeypatch.setattr(google.auth, "default", default)
    monkeypatch.setattr(auth, "drive_from_credentials", lambda credentials, **_: ("drive", credentials))
    monkeypatch.delenv("VERTEX_PRODUCT", raising=False)
    monkeypatch.delenv(auth.ENV_EMULATOR, raising=False)
    return state


def test_a_click_without_credentials_says_which_call_to_run_and_asks_nothing(colab):
    with pytest.raises(DriveSignInNeedsCell) as raised:
        auth.connect()
    assert auth.SIGN_IN_CALL in str(raised.value) and "running cell" in str(raised.value)
    assert isinstance(raised.value, DriveAuthError) and colab["asked"] == 0


def test_a_click_uses_credentials_colab_already_holds_even_from_a_thread(colab):
    colab["signed_in"] = True  # an earlier sign-in or drive.mount in this runtime
    result = {}
    thread = threading.Thread(target=lambda: result.update(drive=auth.connect()))
    thread.start()
    thread.join(10)
    assert result["drive"][0] == "drive" and colab["asked"] == 0


def test_in_a_running_cell_colab_is_asked(colab, monkeypatch):
    monkeypatch.setattr("colab_panel.runtime.frontend.in_running_cell", lambda: True)
    assert auth.connect()[0] == "drive" and colab["asked"] == 1


def test_colab_enterprise_is_explained_in_words(colab, monkeypatch):
    monkeypatch.setenv("VERTEX_PRODUCT", "COLAB_ENTERPRISE")
    with pytest.raises(DriveAuthError, match="Colab Enterprise") as raised:
        auth.connect()
    assert "service account" in str(raised.value) and colab["asked"] == 0


def test_the_runtimes_own_service_account_is_not_taken_for_the_user(colab, monkeypatch):
    import google.auth
    from google.auth import compute_engine

    monkeypatch.setattr(google.auth, "default",
                        lambda scopes=None, **_: (compute_engine.Credentials(), "project"))
    with pytest.raises(DriveSignInNeedsCell):
        auth.connect()


def test_sign_in_tells_open_panels_to_connect(colab, monkeypatch):
    monkeypatch.setattr("colab_panel.runtime.frontend.in_running_cell", lambda: True)
    heard = []
    remove = auth.on_sign_in(lambda: heard.append("reconnect"))
    try:
        assert auth.sign_in()[0] == "drive"
        assert heard == ["reconnect"]
    finally:
        remove()
    auth.sign_in()
    assert heard == ["reconnect"]  # removed listeners hear nothing


def test_a_button_click_is_not_a_running_cell():
    """A widget's click arrives as a comm message: input() there would wait forever."""
    from colab_panel.runtime.frontend import in_running_cell

    class Kernel:
        _allow_stdin = True

        def __init__(self, msg_type):
            self.msg_type = msg_type

        def get_parent(self, channel="shell"):
            return {"header": {"msg_type": self.msg_type}}

    import IPython

    for msg_type, expected in (("comm_msg", False), ("execute_request", True)):
        shell = type("Shell", (), {"kernel": Kernel(msg_type)})()
        original = IPython.get_ipython
        IPython.get_ipython = lambda: shell
        try:
            assert in_running_cell() is expected
        finally:
            IPython.get_ipython = original


def test_the_drive_tab_connects_after_sign_in(tmp_path):
    from colab_panel.controllers.drive import DriveController

    class Folder:
        id, title = "root", "My Drive"

    class FakeDrive:
        def resolve(self, ref):
            return Folder()

        def iter_pages(self, folder_id):
            return iter([[]])

        def ancestry(self, folder):
            return [folder]

        def close(self):  # the tab closes the connection it made
            pass

    attempts = []

    def connect():
        attempts.append(1)
        if len(attempts) == 1:
            raise DriveSignInNeedsCell(auth.COLAB_NEEDS_CELL)
        return FakeDrive()

    controller = DriveController(connect, default_dest=tmp_path, apply_from_thread=False)
    try:
        controller.start()
        controller.settle(10)
        assert auth.SIGN_IN_CALL in controller.error and not controller.connected
        controller.reconnect()
        controller.settle(10)
        assert controller.connected and controller.error == "" and len(attempts) == 2
    finally:
        controller.close()
