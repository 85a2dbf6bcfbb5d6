"""Playwright in Debian's Chromium (no browser download is possible here).

Every test in this folder is marked `browser`. A failing test leaves a screenshot and the
server log under test-artifacts/.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COLAB_KERNEL_STUB = Path(__file__).resolve().parents[1] / "colab_stub" / "colab_kernel_stub.js"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _new_page(browser, request, init_scripts=()):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    for script in init_scripts:
        context.add_init_script(path=str(script))
    page = context.new_page()
    page.set_default_timeout(60_000)
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"pageerror: {err}"))
    return context, page, console


def _keep_artifacts(request, page, console):
    call = getattr(request.node, "rep_call", None)
    if call is None or not call.failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)[-150:]
    try:
        page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True)
    except Exception as exc:  # the page may have crashed: keep the console anyway
        console.append(f"screenshot failed: {exc}")
    (ARTIFACTS / f"{stem}.console.txt").write_text("\n".join(console))
    tmp = request.node.funcargs.get("tmp_path")
    if tmp:
        for log in Path(tmp).glob("*.log"):
            shutil.copyfile(log, ARTIFACTS / f"{stem}.{log.name}")


@pytest.fixture
def page(browser, request):
    context, page, console = _new_page(browser, request)
    yield page
    _keep_artifacts(request, page, console)
    context.close()


@pytest.fixture
def colab_page(browser, request):
    """A page with the stub `google.colab.kernel` injected before any script runs."""
    context, page, console = _new_page(browser, request, [COLAB_KERNEL_STUB])
    yield page
    _keep_artifacts(request, page, console)
    context.close()
