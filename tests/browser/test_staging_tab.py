"""The Staging tab in JupyterLab: paste a Drive link to a zip, press Stage, see the result path.

The kernel signs in to a Drive emulator in this process through the Drive backend's environment
variables (`colab_panel.drive.auth`); the zip is a real archive served over loopback HTTPS.
"""

from __future__ import annotations

import base64
import io
import zipfile

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook

ZIP_ID = "1StagingTabZipStagingTabZip00000"
PANEL_CELL = "from colab_panel import Panel\nPanel()"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for i in range(12):
            zf.writestr(f"birds/{i:02d}.txt", f"bird {i}\n")
    return buffer.getvalue()


def test_stage_a_zip_from_a_pasted_drive_link(page, tmp_path):
    manifest = {"items": [{"title": "birds.zip", "id": ZIP_ID,
                           "contentBase64": base64.b64encode(_zip_bytes()).decode()}]}
    dest = tmp_path / "staged" / "birds"
    with DriveEmulator(manifest=manifest) as emu:
        env = emulator_env(emu)
        write_notebook(tmp_path / "staging.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
            run_notebook(page, server, "staging.ipynb")
            page.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
            page.locator(".cp-staging-source input").fill(f"https://drive.google.com/file/d/{ZIP_ID}/view?usp=sharing")
            page.locator(".cp-staging-dest input").fill(str(dest))
            page.locator("button.cp-staging-stage").click()
            path = page.locator(".cp-staging-path")
            path.wait_for(timeout=60_000)
            assert path.inner_text() == str(dest)
            result = page.locator(".cp-staging-result").inner_text()
            assert "Files: 12" in result and f'DATA = Path("{dest}")' in result
            assert page.locator(".cp-staging-error").inner_text() == ""
    assert (dest / "birds" / "05.txt").read_text() == "bird 5\n"
    assert emu.requests.count(media=True) >= 1
