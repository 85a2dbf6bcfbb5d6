"""The public surface: every name in __all__ resolves, lazily, to the object its module defines."""

import importlib

import pytest

import colab_panel


@pytest.mark.parametrize("name", colab_panel.__all__)
def test_every_public_name_resolves(name):
    value = getattr(colab_panel, name)
    module = importlib.import_module(colab_panel._EXPORTS[name])
    assert value is getattr(module, name)


def test_all_names_every_export_and_nothing_else():
    assert sorted(colab_panel.__all__) == sorted(colab_panel._EXPORTS)
    assert len(set(colab_panel.__all__)) == len(colab_panel.__all__)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        colab_panel.nope  # noqa: B018


def test_errors_form_one_hierarchy():
    errors = [getattr(colab_panel, n) for n in colab_panel.__all__ if n.endswith(("Error", "Required",
              "Found", "Denied", "Exceeded", "Space", "Mismatch", "Cancelled", "Unavailable"))]
    assert errors and all(issubclass(e, colab_panel.PanelError) for e in errors)
