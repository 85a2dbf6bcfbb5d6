"""Drive JupyterLab pages with Playwright: open a notebook, run it, wait for the panel."""

from __future__ import annotations

from playwright.sync_api import Page

from support.jupyter import Server

KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return k && k.status === 'idle';
}"""

KERNEL_BUSY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return k && k.status === 'busy';
}"""


def open_notebook(page: Page, server: Server, name: str, timeout_ms: int = 90_000) -> None:
    # ?reset: open only this notebook, not whatever the workspace remembered from earlier pages
    page.goto(f"{server.url}lab/tree/{name}?reset&token={server.token}", timeout=timeout_ms)
    page.wait_for_selector(".jp-Notebook", timeout=timeout_ms)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout_ms)


def run_all_cells(page: Page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def run_notebook(page: Page, server: Server, name: str, timeout_ms: int = 90_000) -> None:
    open_notebook(page, server, name, timeout_ms)
    run_all_cells(page)
