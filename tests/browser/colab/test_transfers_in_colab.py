"""Your computer <-> the runtime in the Colab stand-in: through the port proxy, while a cell runs.

The transfer page is a document of the proxied origin (an iframe navigated there), so its
requests are same-origin and pass the proxy; a fetch from the output frame itself would get 401.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

CHUNK = 8 * 1024 * 1024
BUSY_S = 45


def test_upload_during_a_busy_cell_then_download_a_folder_and_a_file(colab, tmp_path):
    colab.restart()
    dest = tmp_path / "up"
    i = colab.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       f"panel = Panel(staging_dir={str(dest)!r})\ndisplay(panel)")
    output = colab.output_frame(i)
    output.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
    output.locator(".cp-transfer-box[data-frame=live]").wait_for(timeout=60_000)
    frame = output.frame_locator(".cp-transfer-frame")
    assert [c for c in colab.proxy_port_calls() if (c.get("options") or {}).get("cache") is False]

    data = os.urandom(2 * CHUNK + 999)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    busy = colab.run_cell(f"import time\ntime.sleep({BUSY_S})", wait=False)
    colab.wait_until_running(busy)
    frame.locator(".cp-tf-files-input").set_input_files(str(source))
    row = frame.locator(".cp-tf-row[data-state=done][data-md5]")  # the md5 follows the last chunk
    row.wait_for(timeout=(BUSY_S - 10) * 1000)
    assert colab.cell_status(busy) == "running", "the upload finished only after the cell did"
    assert row.get_attribute("data-md5") == hashlib.md5(data).hexdigest()
    assert (dest / "big.bin").read_bytes() == data

    folder = tmp_path / "run"
    (folder / "ckpt").mkdir(parents=True)
    (folder / "ckpt" / "w.pt").write_bytes(os.urandom(100_000))
    frame.locator(".cp-tf-download-path").fill(str(folder))
    with colab.page.expect_download() as info:
        frame.locator(".cp-tf-download-button").click()
    with zipfile.ZipFile(info.value.path()) as archive:
        assert archive.read("ckpt/w.pt") == (folder / "ckpt" / "w.pt").read_bytes()
    assert colab.cell_status(busy) == "running"
    colab.wait_for_cell(busy, timeout_s=BUSY_S + 30)

    with colab.page.expect_download() as info:
        colab.run_cell(f"import colab_panel\ncolab_panel.download_to_browser({str(source)!r})")
    assert info.value.suggested_filename == "big.bin"
    assert Path(info.value.path()).read_bytes() == data
