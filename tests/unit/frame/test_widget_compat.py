"""The panel runs on ipywidgets 7 (Colab's 7.7.1) and 8 alike: colab_panel.widgets.compat.

On 7 an 8-only trait is not an error: a keyword argument is dropped with a warning and an
assignment makes a plain attribute the page never sees. So the whole panel is built, ticked and
closed here while watching for either; the colab_stack pass runs this on 7, the main pass on 8.
"""

from __future__ import annotations

import sys
import warnings

import ipywidgets as widgets
import pytest

from colab_panel import Panel
from colab_panel.widgets.compat import mimebundle, open_widgets


@pytest.fixture
def untraited_assignments(monkeypatch):
    """(class, attribute) for each public non-trait attribute our code sets on a stock widget."""
    found: list[tuple[str, str]] = []
    plain_setattr = object.__setattr__

    def watching_setattr(self, name, value):
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if (caller.startswith("colab_panel") and not name.startswith("_")
                and type(self).__module__.startswith("ipywidgets") and not self.has_trait(name)):
            found.append((type(self).__name__, name))
        plain_setattr(self, name, value)

    monkeypatch.setattr(widgets.Widget, "__setattr__", watching_setattr, raising=False)
    return found


def test_the_whole_panel_uses_only_traits_this_ipywidgets_has(tmp_path, untraited_assignments):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = Panel(staging_dir=tmp_path)
        panel.build_tabs()
        panel._on_tick()
        panel.close()
    dropped = [str(w.message).splitlines()[0] for w in caught
               if "Passing unrecognized arguments" in str(w.message)]
    assert not dropped, f"ignored by ipywidgets {widgets.__version__}: {dropped}"
    assert not untraited_assignments, f"not traits in ipywidgets {widgets.__version__}: {untraited_assignments}"


def test_mimebundle_shows_the_widget_and_the_registry_lets_it_go():
    box = widgets.VBox()
    model_id = box.model_id
    bundle = mimebundle(box, include=None, exclude=None)  # as IPython's formatter calls it
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == model_id
    assert open_widgets()[model_id] is box
    box.close()
    assert model_id not in open_widgets()
