"""The controller base: one error policy (typed errors in words, bugs named and logged), busy, confirmations."""

from __future__ import annotations

import logging

import pytest

from colab_panel.controllers.base import Controller, in_words
from colab_panel.controllers.confirmation import Confirmation
from colab_panel.errors import DriveNotFound


def test_a_panel_error_is_its_own_words_and_a_bug_is_named() -> None:
    assert in_words(DriveNotFound("No file with ID x.")) == "No file with ID x."
    assert in_words(ValueError("Paste a Drive link.")) == "Paste a Drive link."
    assert in_words(KeyError("k")) == "Unexpected failure: KeyError: 'k'"
    assert in_words(OSError("gone"), "Could not connect") == "Could not connect: OSError: gone"


def test_an_action_is_busy_meanwhile_and_never_raises(caplog: pytest.LogCaptureFixture) -> None:
    c = Controller()
    seen: list[bool] = []
    with c.action("Fetching..."):
        seen.append(c.busy)
        assert c.message == "Fetching..."
        c.message = "Fetched 3 files."
    assert seen == [True] and not c.busy and c.message == "Fetched 3 files." and c.error == ""
    with c.action("Fetching..."):
        raise DriveNotFound("No file with ID x.")
    assert c.error == "No file with ID x." and c.message == "" and not c.busy
    with caplog.at_level(logging.ERROR), c.action():
        raise ZeroDivisionError("division by zero")
    assert c.error == "Unexpected failure: ZeroDivisionError: division by zero"
    assert "ZeroDivisionError" in caplog.text  # a bug keeps its traceback in the log


def test_a_confirmation_waits_until_taken_once() -> None:
    c = Controller()
    c.asking = Confirmation("trash", "Move 'a' to the trash?", ("a",))
    assert c.take_asked() == Confirmation("trash", "Move 'a' to the trash?", ("a",))
    assert c.asking is None and c.take_asked() is None
