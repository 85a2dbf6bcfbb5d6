"""The Staging tab's Kaggle token row: the page's bytes become kaggle.json (0600) and the key is
shown nowhere: not in any widget's state, not in the words, not in a log."""

from __future__ import annotations

import json
import logging
import stat

import pytest
from ipywidgets import DOMWidget

from colab_panel.controllers.kaggle_token import KaggleTokenController
from colab_panel.views.kaggle_token import KaggleTokenSection
from colab_panel.widgets.compat import open_widgets

KEY = "fedcba9876543210fedcba9876543210"
TOKEN = json.dumps({"username": "bob", "key": KEY}).encode()


@pytest.fixture
def section(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "kaggle"))
    for name in ("KAGGLE_USERNAME", "KAGGLE_KEY", "KAGGLE_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    view = KaggleTokenSection(KaggleTokenController())
    yield view
    view.picker.close()


def _all_widget_state() -> str:
    """Every open widget's state as the front end would get it. An earlier test in this process
    may have left a widget whose child was closed (its state can no longer be sent): skipped."""
    states = []
    for w in list(open_widgets().values()):
        try:
            states.append(w.get_state())
        except AttributeError:  # a closed child has no comm
            continue
    return json.dumps(states, default=str)


def test_bytes_from_the_page_are_stored_0600_and_shown_nowhere(section, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    assert "No Kaggle token here yet" in section.status.value
    section.picker._on_page_msg(section.picker, {"type": "file", "name": "kaggle.json", "size": len(TOKEN)},
                                [memoryview(TOKEN)])
    target = tmp_path / "kaggle" / "kaggle.json"
    assert json.loads(target.read_bytes())["key"] == KEY
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert str(target) in section.outcome.value and "bob" in section.outcome.value
    assert str(target) in section.status.value
    assert KEY not in _all_widget_state() and KEY not in caplog.text


def test_a_wrong_file_is_refused_in_words_and_nothing_is_stored(section, tmp_path):
    bad = json.dumps({"username": "bob", "token": KEY}).encode()
    section.picker._on_page_msg(section.picker, {"type": "file", "name": "creds.json", "size": len(bad)},
                                [memoryview(bad)])
    assert 'has no &quot;key&quot;' in section.outcome.value and "cp-error" in section.outcome.value
    assert KEY not in section.outcome.value
    assert not (tmp_path / "kaggle" / "kaggle.json").exists()


def test_a_big_file_is_refused_in_words(section, tmp_path):
    section.picker._on_page_msg(section.picker, {"type": "too_big", "name": "dataset.zip", "size": 5 * 1024**2}, [])
    assert "dataset.zip is 5.0 MB" in section.outcome.value and "64.0 KB" in section.outcome.value
    section.picker._on_page_msg(section.picker, {"type": "file", "name": "x.json"}, [memoryview(b" " * 70_000)])
    assert "x.json is 68.4 KB" in section.outcome.value
    assert not (tmp_path / "kaggle").exists()


def test_the_picker_has_no_trait_that_could_hold_content(section):
    assert set(section.picker.keys) - set(DOMWidget().keys) <= {"_esm", "_css", "_anywidget_id", "label", "hint",
                                                              "accept", "max_bytes", "disabled"}
