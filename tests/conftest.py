"""Fixtures every test layer may use: Debian's Chromium driven by Playwright, one per session.

One Playwright instance per session is a must, not a saving: its sync API runs an event loop
in the main thread, and a second `sync_playwright()` while one is open fails.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.colab_stack import stack_mismatches

CHROMIUM = "/usr/bin/chromium"
# The closed network refuses Chromium's background connections; these flags stop it trying.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def pytest_configure(config):
    """Panels made by tests record their kernel's trail in a throwaway folder, not the user's."""
    import os
    import tempfile

    os.environ.setdefault("COLAB_PANEL_STATE", tempfile.mkdtemp(prefix="colab-panel-state-"))


# Tests here drive a kernel that must run Colab's pinned stack, whoever marked them.
COLAB_STACK_FOLDERS = tuple(Path(__file__).resolve().parent / folder
                            for folder in ("browser/colab", "colab_standin"))


def pytest_collection_modifyitems(items):
    """Tests marked `colab_stack` run in tools/test.sh's pass in .venv-colab; anywhere else they
    are skipped, saying why, rather than testing the wrong versions."""
    mismatches = None
    for item in items:
        if any(folder in Path(str(item.fspath)).parents for folder in COLAB_STACK_FOLDERS):
            item.add_marker(pytest.mark.colab_stack)
        if item.get_closest_marker("colab_stack") is None:
            continue
        if mismatches is None:
            mismatches = stack_mismatches()
        if mismatches:
            item.add_marker(pytest.mark.skip(
                reason="needs Colab's stack (tools/test.sh runs it in .venv-colab); here: "
                       + ", ".join(mismatches)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell a failed test at teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run tools/install.sh (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True, scope="session")
def _own_state_dir(tmp_path_factory):
    """Lock files (colab_panel.staging.job_lock) go to a temp dir, not the user's ~/.local/state;
    set in os.environ so child processes a test starts share it."""
    import os

    previous = os.environ.get("COLAB_PANEL_STATE_DIR")
    os.environ["COLAB_PANEL_STATE_DIR"] = str(tmp_path_factory.mktemp("colab_panel_state"))
    yield
    if previous is None:
        os.environ.pop("COLAB_PANEL_STATE_DIR", None)
    else:
        os.environ["COLAB_PANEL_STATE_DIR"] = previous
