"""Find a front-end source: `colab_panel/static/` in an installed wheel, `js/` in a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_STATIC = Path(__file__).resolve().parent.parent / "static"
_CHECKOUT_JS = Path(__file__).resolve().parent.parent.parent / "js"


def static_path(name: str) -> Path:
    for folder in (_PACKAGE_STATIC, _CHECKOUT_JS):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"front-end file {name!r} is missing from {_PACKAGE_STATIC} and {_CHECKOUT_JS}")
