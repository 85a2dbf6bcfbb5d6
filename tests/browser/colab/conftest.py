"""The `colab` fixture: the Colab stand-in (tests/colab_standin) and a Playwright page on it.

One stand-in server (and kernel) per test module; each test gets a fresh page, and the kernel
keeps its state across a module's tests unless a test calls `colab.restart()`.

The kernel runs the test runner's Python (`sys.executable`; $COLAB_STANDIN_KERNEL_PYTHON picks
another): in .venv-colab that is Colab's pinned stack (ipywidgets 7.7.1, ipykernel 6.17.1, ...),
in .venv the latest one.
"""

from __future__ import annotations

import os
import sys

import pytest

import colab_standin
from colab_standin import Colab

from browser.conftest import _keep_artifacts, _new_page  # noqa: F401  (shared page helpers)


@pytest.fixture(scope="module")
def colab_server(tmp_path_factory):
    colab_standin.build()
    tmp = tmp_path_factory.mktemp("colab_standin")
    python = os.environ.get("COLAB_STANDIN_KERNEL_PYTHON") or sys.executable
    with colab_standin.serve(tmp, kernel_python=python) as server:
        yield server


@pytest.fixture
def colab(browser, colab_server, request):
    context, page, console = _new_page(browser, request)
    driver = Colab(page, colab_server).open()
    yield driver
    if getattr(getattr(request.node, "rep_call", None), "failed", False):
        console.append("---- stand-in server log ----\n" + colab_server.log_tail())
    _keep_artifacts(request, page, console)
    context.close()
