"""The Share tab in JupyterLab: links for a file, one copied to the real clipboard, share with
Confirm, undo. The kernel talks to a Drive emulator in this process over loopback HTTPS."""

from __future__ import annotations

import os


from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook
from support.polling import poll_until

FILE_ID = "1BrowserShareBrowserShareBrowse00"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
SCREENSHOT = os.environ.get("SHARE_TAB_SCREENSHOT")  # e.g. /tmp/share_tab.png to look at the tab


def _anyone(emu: DriveEmulator) -> dict[str, str]:
    with emu.store.lock:
        return {p.type: p.role for p in emu.store.get(FILE_ID).permissions}


def test_links_copy_share_confirm_and_undo(page, tmp_path):
    manifest = {"items": [{"title": "results.csv", "id": FILE_ID, "content": "a,b\n1,2\n"}]}
    with DriveEmulator(manifest=manifest) as emu:
        env = emulator_env(emu)
        write_notebook(tmp_path / "share.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
            run_notebook(page, server, "share.ipynb")
            page.locator(".cp-tabs .cp-tabbar button", has_text="Share").click()

            page.locator(".cp-share-target input").fill(f"https://drive.google.com/file/d/{FILE_ID}/view")
            page.locator(".cp-share-show button, button.cp-share-show").first.click()
            copy = page.locator(".cp-share-copy-download .cp-copy-button")
            copy.wait_for(timeout=60_000)
            assert "results.csv" in page.locator(".cp-share-title").inner_text()

            copy.click()
            page.wait_for_selector(".cp-share-copy-download .cp-copy-button.cp-copied")
            assert "Copied" in copy.inner_text()
            clipboard = page.evaluate("() => navigator.clipboard.readText()")
            assert clipboard == f"https://drive.google.com/uc?export=download&id={FILE_ID}"

            page.locator(".cp-share-anyone select").select_option(label="Viewer")
            page.locator("button.cp-share-review").click()
            confirm = page.locator("button.cp-share-confirm-button")
            confirm.wait_for()
            assert "no access → can view" in page.locator(".cp-share-plan-view").inner_text()
            assert _anyone(emu) == {}  # the review applied nothing
            if SCREENSHOT:
                page.set_viewport_size({"width": 1280, "height": 2600})
                page.locator(".cp-share").screenshot(path=SCREENSHOT)
                page.set_viewport_size({"width": 1280, "height": 900})
            confirm.click()
            assert poll_until(lambda: _anyone(emu) == {"anyone": "reader"}, timeout_s=30), \
                "timed out waiting for the confirmed grant to reach Drive"
            page.wait_for_selector(".cp-share-link-state:has-text('anyone with the link')")

            page.locator("button.cp-share-undo").click()
            assert poll_until(lambda: _anyone(emu) == {}, timeout_s=30), "timed out waiting for undo to revoke the grant"
            page.wait_for_selector(".cp-share-link-state:has-text('off')")
