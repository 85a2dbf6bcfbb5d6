"""Not signed in: the Drive tab offers the ways that work where the kernel runs, and says what
went wrong next to the Sign-in button, short, with the whole message one click away."""

from __future__ import annotations

import json

import pytest

from colab_panel.controllers.drive import DriveController, sign_in_choices
from colab_panel.views.drive import DriveTab


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    for name in ("COLAB_PANEL_DRIVE_EMULATOR", "COLAB_PANEL_DRIVE_SERVICE_ACCOUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path


def failed_start(c: DriveController) -> None:
    c.start()
    assert c._started.wait(30)
    c.poll()


def test_choices_outside_colab_and_with_saved_credentials(nowhere):
    assert [c.auth for c in sign_in_choices()] == ["service_account", "client_secrets"]
    saved = nowhere / "config" / "colab_panel" / "drive_credentials.json"
    saved.parent.mkdir(parents=True)
    saved.write_text(json.dumps({"type": "authorized_user"}))
    assert [c.auth for c in sign_in_choices()] == ["saved", "service_account", "client_secrets"]


def test_a_failed_sign_in_shows_the_row_and_errors_beside_it(nowhere):
    from colab_panel.drive.auth import connect

    c = DriveController(lambda: connect())
    tab = DriveTab(c)
    failed_start(c)
    assert c.show_sign_in and c.error_at == "sign_in" and tab.sign_in_row.layout.display is None
    assert "<details><summary>No Google Drive credentials are available.</summary>" in tab.errors["sign_in"].value
    assert tab.errors["list"].layout.display == "none"  # not also at the bottom
    assert [o[1] for o in tab.sign_in_choice.options] == ["service_account", "client_secrets"]

    c.sign_in("colab")
    assert "does not work here" in c.error and c.error_at == "sign_in"
    tab.sign_in_choice.value = "service_account"
    assert tab.sign_in_path.layout.display is None and "service-account key" in tab.sign_in_path.placeholder
    tab.sign_in_button.click()
    assert c.error == "Type the path of the service-account key file (JSON) on this runtime first."
    tab.sign_in_path.value = str(nowhere / "missing-key.json")
    tab.sign_in_button.click()
    c.settle()
    assert "No service-account key file" in c.error and c.error_at == "sign_in" and c.show_sign_in
    c.close()
    tab.close()
