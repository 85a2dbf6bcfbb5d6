"""The Share tab's "Will it work for others?" button in JupyterLab: a private file's link is
fetched as a visitor with no account (the emulator's anonymous side), the answer is shown in
words with a fix; the fix is reviewed and confirmed, and the same check then says it works."""

from __future__ import annotations

from browser.conftest import ARTIFACTS
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook
from support.polling import poll_until

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator

FILE_ID = "1BrowserCheckLinkBrowserCheckLi00"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
ANSWER = ".cp-share-check-answer .cp-share-check-text"


def _anyone(emu: DriveEmulator) -> dict[str, str]:
    with emu.store.lock:
        return {p.type: p.role for p in emu.store.get(FILE_ID).permissions}


def test_check_link_says_in_words_then_fix_makes_it_work(page, tmp_path):
    manifest = {"items": [{"title": "weights.bin", "id": FILE_ID, "content": "w" * 100}]}
    with DriveEmulator(manifest=manifest) as emu:
        env = emulator_env(emu)
        write_notebook(tmp_path / "check.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            run_notebook(page, server, "check.ipynb")
            page.locator(".cp-tabs .cp-tabbar button", has_text="Share").click()
            page.locator(".cp-share-target input").fill(f"https://drive.google.com/file/d/{FILE_ID}/view")
            page.locator(".cp-share-show button, button.cp-share-show").first.click()
            page.wait_for_selector(".cp-share-title:has-text('weights.bin')", timeout=60_000)

            page.locator("button.cp-share-check-link").click()
            answer = page.locator(ANSWER)
            answer.wait_for(timeout=60_000)
            text = answer.inner_text()
            assert text.startswith("Does not work for others:"), text + page.locator(".cp-share-error").inner_text()
            assert "sign in" in text and "Fix:" in text
            assert "cp-error" in (answer.get_attribute("class") or "")
            assert any(r.path == "/uc" for r in emu.requests.records), \
                "the check did not visit the emulator's anonymous side"

            fix = page.locator("button.cp-share-check-fix")
            fix.wait_for()
            fix.click()
            confirm = page.locator("button.cp-share-confirm-button")
            confirm.wait_for()
            assert _anyone(emu) == {}  # reviewing applied nothing
            page.set_viewport_size({"width": 1280, "height": 1600})
            page.locator(".cp-share").screenshot(path=str(ARTIFACTS / "share_check_link.png"))
            confirm.click()
            assert poll_until(lambda: _anyone(emu) == {"anyone": "reader"}, timeout_s=30), \
                "timed out waiting for the confirmed fix to reach Drive"

            page.locator("button.cp-share-check-link").click()
            page.wait_for_selector(f"{ANSWER}:has-text('Works for others')", timeout=60_000)
            assert "downloads directly" in page.locator(ANSWER).inner_text()
