"""The Colab stand-in's pure parts: its CDN's version ranges and the stub's display_pub hook."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from colab_standin import server

COLAB_STUB = Path(__file__).resolve().parents[2] / "colab_stub"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.mark.parametrize("version, wanted, ok", [
    ("0.9.21", "~0.9.*", True),     # what anywidget 0.9.x asks for (its _model_module_version)
    ("0.11.0", "~0.9.*", False),
    ("0.11.0", "~0.11.*", True),
    ("0.9.21", "0.9.21", True),
    ("0.9.21", "^0.9.3", True),
    ("1.4.2", "^1.2.0", True),
    ("2.0.0", "^1.2.0", False),
    ("0.9.21", "*", True),
])
def test_cdn_version_ranges(version, wanted, ok):
    assert server._matches(version, wanted) is ok


@pytest.fixture
def stub_widgets(monkeypatch):
    """The stub's _widgets module, imported for this test only: a `google.colab` left in
    sys.modules would make later tests believe they run in Colab."""
    before = set(sys.modules)
    monkeypatch.syspath_prepend(str(COLAB_STUB))
    module = importlib.import_module("google.colab.output._widgets")
    monkeypatch.setattr(module, "_installed_url", "http://frames.test/build/custom.js")
    yield module
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_the_hook_names_the_manager_in_a_widget_outputs_metadata(stub_widgets):
    msg = {"content": {"data": {WIDGET_MIME: {"model_id": "m"}, "text/plain": "W"}, "metadata": {}}}
    stub_widgets._add_manager_metadata(msg)
    assert msg["content"]["metadata"][WIDGET_MIME] == {
        "colab": {"custom_widget_manager": {"url": "http://frames.test/build/custom.js"}}}


def test_the_hook_leaves_other_outputs_alone(stub_widgets):
    msg = {"content": {"data": {"text/plain": "x"}, "metadata": {}}}
    stub_widgets._add_manager_metadata(msg)
    assert msg["content"]["metadata"] == {}
