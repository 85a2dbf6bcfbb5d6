"""Colab's pinned versions (tools/colab/pip-freeze.txt) and whether this interpreter runs them."""

from __future__ import annotations

import re
from functools import cache
from importlib import metadata
from pathlib import Path

FREEZE = Path(__file__).resolve().parents[2] / "tools" / "colab" / "pip-freeze.txt"
# the packages a widget panel runs on: if these match Colab's pins, this is the Colab-stack pass
KERNEL_STACK = ("ipykernel", "ipython", "ipywidgets", "traitlets", "jupyter_client", "anywidget")


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@cache
def colab_pins() -> dict[str, str]:
    """{canonical name: version} of every package in Colab's freeze."""
    pins = {}
    for line in FREEZE.read_text().splitlines():
        name, sep, version = line.partition("==")
        if sep and not line.startswith("#"):
            pins[canonical(name)] = version.strip()
    return pins


def stack_mismatches() -> list[str]:
    """The kernel-stack packages whose installed version is not Colab's, in words."""
    pins = colab_pins()
    wrong = []
    for name in KERNEL_STACK:
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != pins[canonical(name)]:
            wrong.append(f"{name} {installed} (Colab: {pins[canonical(name)]})")
    return wrong


def on_colab_stack() -> bool:
    """True in the Colab-stack pass (.venv-colab): the kernel stack is Colab's, version for version."""
    return not stack_mismatches()
