"""Fixtures for the Monitor tab's tests: a real fast sampler and a real IPython shell."""

from __future__ import annotations

import sys
from typing import Iterator

import pytest

from colab_panel.monitor.sampler import Sampler


@pytest.fixture
def sampler() -> Iterator[Sampler]:
    """A private sampler at 0.1 s (not the kernel's shared one), stopped afterwards."""
    sampler = Sampler(interval_s=0.1)
    yield sampler
    sampler.stop()


@pytest.fixture
def shell():
    """A real IPython shell whose `run_cell` fires pre/post_run_cell; removed afterwards so
    other tests still see plain Python."""
    from IPython.core.interactiveshell import InteractiveShell

    hooks = sys.displayhook, sys.excepthook
    shell = InteractiveShell.instance()
    yield shell
    InteractiveShell.clear_instance()
    sys.displayhook, sys.excepthook = hooks
