"""The Staging tab's "Stage from a copy in my Drive" in JupyterLab: a shared zip over its
download quota fails in words and the button appears; pressing it copies the zip into My Drive
on the emulator (server-side) and stages the copy. The original's bytes are never served."""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile

from browser.conftest import ARTIFACTS
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator

ZIP_ID = "1StagingViaCopyStagingViaCopySt00"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
ALICE = "alice@example.com"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(5):
            zf.writestr(f"frames/{i}.txt", f"frame {i}\n")
    return buffer.getvalue()


def _copies_in_my_drive(emu: DriveEmulator) -> list[tuple[str, str | None]]:
    with emu.store.lock:
        return [(i.id, i.md5) for i in emu.store.children(emu.store.root_id) if i.title == "frames.zip"]


def test_over_quota_then_stage_from_a_copy(page, tmp_path):
    data = _zip_bytes()
    manifest = {"accounts": [{"email": ALICE, "name": "Alice"}], "items": [
        {"title": "frames.zip", "id": ZIP_ID, "owner": ALICE, "contentBase64": base64.b64encode(data).decode(),
         "permissions": [{"type": "anyone", "role": "reader", "withLink": True}]}]}
    dest = tmp_path / "staged" / "frames"
    with DriveEmulator(manifest=manifest) as emu:
        emu.web.exceed_download_quota(ZIP_ID)
        env = emulator_env(emu)
        write_notebook(tmp_path / "via_copy.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            run_notebook(page, server, "via_copy.ipynb")
            page.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
            page.locator(".cp-staging-source input").fill(f"https://drive.google.com/file/d/{ZIP_ID}/view")
            page.locator(".cp-staging-dest input").fill(str(dest))
            via_copy = page.locator("button.cp-staging-via-copy")
            assert not via_copy.is_visible()
            page.locator("button.cp-staging-stage").click()
            via_copy.wait_for(state="visible", timeout=60_000)
            error = page.locator(".cp-staging-error").inner_text()
            assert "download" in error.lower() and "frames.zip" in error, error
            assert _copies_in_my_drive(emu) == []

            via_copy.click()
            page.locator(".cp-staging-path").wait_for(timeout=60_000)
            assert page.locator(".cp-staging-path").inner_text() == str(dest)
            assert page.locator(".cp-staging-error").inner_text() == ""
            assert "Staged from a copy in your Drive" in page.locator(".cp-staging-message").inner_text()
            assert not via_copy.is_visible()
            page.set_viewport_size({"width": 1280, "height": 1400})
            page.locator(".cp-staging").screenshot(path=str(ARTIFACTS / "staging_via_copy.png"))
        assert [md5 for _, md5 in _copies_in_my_drive(emu)] == [hashlib.md5(data).hexdigest()]
        served = [r for r in emu.requests.records if r.media and ZIP_ID in r.path and r.status == 200]
        assert served == []  # the bytes came from the copy, never from the over-quota original
    assert (dest / "frames" / "3.txt").read_text() == "frame 3\n"
