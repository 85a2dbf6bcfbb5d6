"""Your computer <-> the runtime in JupyterLab: uploads that survive a damaged chunk, a dropped
connection and a reloaded page, and a folder that downloads as one zip, through the real
endpoint in Chromium."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

from support.browser import KERNEL_IDLE, run_notebook
from support.jupyter import jupyterlab, write_notebook

PANEL_CELL = "from colab_panel import Panel\npanel = Panel()\npanel"
CHUNK = 8 * 1024 * 1024
SIZE = 3 * CHUNK + 12345
PUT = re.compile(r".*/transfers/upload/[0-9a-f]+\?offset=(\d+)$")


def _big_file(folder: Path) -> tuple[Path, str]:
    path = folder / "weights.bin"
    data = os.urandom(SIZE)
    path.write_bytes(data)
    return path, hashlib.md5(data).hexdigest()


def _open_transfers(page, server):
    run_notebook(page, server, "t.ipynb")
    page.locator(".cp-tabs .cp-tabbar button", has_text="Staging").click()
    page.locator(".cp-transfer-box[data-frame=live]").wait_for(timeout=60_000)
    return page.frame_locator(".cp-transfer-frame")


def _row(frame, index: int = 0):
    return frame.locator(".cp-tf-row").nth(index)


def test_an_upload_survives_a_damaged_chunk_a_dropped_connection_and_a_reloaded_page(page, tmp_path):
    source, md5 = _big_file(tmp_path)
    write_notebook(tmp_path / "t.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        frame = _open_transfers(page, server)
        # 1. the first chunk arrives damaged (one bit flipped on the way), and the second's
        #    connection drops: the kernel refuses the first unwritten (its CRC-32 differs) and
        #    the page sends it again; it retries the second from the committed offset by itself
        dropped, damaged = [], []

        def damage_then_drop_once(route):
            offset = int(PUT.match(route.request.url).group(1))
            if offset == 0 and not damaged:
                body = bytearray(route.request.post_data_buffer)
                body[4321] ^= 0x08
                damaged.append(offset)
                route.continue_(post_data=bytes(body))
            elif offset == CHUNK and not dropped:
                dropped.append(offset)
                route.abort()
            else:
                route.continue_()
        page.route(PUT, damage_then_drop_once)
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        row = _row(frame)
        row.and_(frame.locator("[data-state=done][data-md5]")).wait_for(timeout=120_000)  # md5 follows done
        assert damaged == [0] and dropped == [CHUNK]
        assert row.get_attribute("data-md5") == md5
        assert int(row.get_attribute("data-sent")) == SIZE + 2 * CHUNK  # exactly those two chunks again
        assert hashlib.md5((tmp_path / "data" / "weights.bin").read_bytes()).hexdigest() == md5
        page.unroute(PUT)
        (tmp_path / "data" / "weights.bin").unlink()

        # 2. the connection stays down after two chunks, then the page is reloaded and the
        #    same file picked again: it resumes where the kernel had got to
        page.route(PUT, lambda route: route.abort() if int(PUT.match(route.request.url).group(1)) >= 2 * CHUNK
                   else route.continue_())
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        _row(frame).and_(frame.locator("[data-state=retrying]")).wait_for(timeout=60_000)
        page.unroute(PUT)
        frame.locator(".cp-tf").evaluate("() => location.reload()")  # the page's memory is gone
        page.wait_for_function(KERNEL_IDLE)
        frame.locator(".cp-tf[data-ready='1']").wait_for(timeout=60_000)
        assert frame.locator(".cp-tf-row").count() == 0
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        row = _row(frame)
        row.and_(frame.locator("[data-state=done][data-md5]")).wait_for(timeout=120_000)
        assert int(row.get_attribute("data-sent")) == SIZE - 2 * CHUNK  # nothing re-sent
        assert "resumed at" in row.inner_text()
        assert row.get_attribute("data-md5") == md5
        assert hashlib.md5((tmp_path / "data" / "weights.bin").read_bytes()).hexdigest() == md5
        assert not (tmp_path / "data" / ".colab_panel-uploads").exists()


def test_a_folder_uploads_and_downloads_as_one_zip(page, tmp_path):
    tree = tmp_path / "run"
    (tree / "ckpt").mkdir(parents=True)
    files = {"notes.txt": b"epoch 3\n", "ckpt/model.pt": os.urandom(3_000_000)}
    for name, data in files.items():
        (tree / name).write_bytes(data)
    write_notebook(tmp_path / "t.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        frame = _open_transfers(page, server)
        frame.locator(".cp-tf-dest").fill(str(tmp_path / "up"))
        frame.locator(".cp-tf-folder-input").set_input_files(str(tree))
        for index in range(len(files)):
            _row(frame, index).and_(frame.locator("[data-state=done]")).wait_for(timeout=60_000)
        for name, data in files.items():
            assert (tmp_path / "up" / "run" / name).read_bytes() == data

        frame.locator(".cp-tf-download-path").fill(str(tree))
        with page.expect_download() as info:
            frame.locator(".cp-tf-download-button").click()
        download = info.value
        assert download.suggested_filename == "run.zip"
        with zipfile.ZipFile(download.path()) as archive:
            for name, data in files.items():
                assert archive.read(name) == data

        frame.locator(".cp-tf-download-path").fill(str(tmp_path / "nothing-here"))
        frame.locator(".cp-tf-download-button").click()
        frame.locator(".cp-tf-download[data-state=failed]").wait_for()
        assert "no file or folder" in frame.locator(".cp-tf-note").inner_text()


def test_download_to_browser_from_a_cell(page, tmp_path):
    target = tmp_path / "report.csv"
    target.write_bytes(b"epoch,loss\n1,0.5\n")
    write_notebook(tmp_path / "t.ipynb", [f"import colab_panel\ncolab_panel.download_to_browser({str(target)!r})"])
    with jupyterlab(tmp_path, tmp_path) as server:
        with page.expect_download(timeout=90_000) as info:
            run_notebook(page, server, "t.ipynb")
        assert info.value.suggested_filename == "report.csv"
        assert Path(info.value.path()).read_bytes() == target.read_bytes()


def test_cancel_removes_the_partial_upload_and_keeps_finished_files(page, tmp_path):
    source, _ = _big_file(tmp_path)
    small = tmp_path / "small.txt"
    small.write_bytes(b"kept\n")
    write_notebook(tmp_path / "t.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        frame = _open_transfers(page, server)
        frame.locator(".cp-tf-files-input").set_input_files(str(small))
        _row(frame).and_(frame.locator("[data-state=done]")).wait_for(timeout=60_000)
        page.route(PUT, lambda route: route.abort() if int(PUT.match(route.request.url).group(1)) >= CHUNK
                   else route.continue_())
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        row = _row(frame)
        row.and_(frame.locator("[data-state=retrying]")).wait_for(timeout=60_000)
        assert len(list((tmp_path / "data" / ".colab_panel-uploads").glob("*.part"))) == 1
        row.locator(".cp-tf-cancel").click()
        row.and_(frame.locator("[data-state=cancelled]")).wait_for(timeout=30_000)
        page.unroute(PUT)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["small.txt"]


def test_a_one_gib_upload_cut_half_way_resumes_after_a_reload_resending_under_5_percent(page, tmp_path):
    # the scale: 1 GiB through the real endpoint, the connection down from the middle on,
    # the page reloaded (its memory gone), the file picked again
    source, size = tmp_path / "dataset.bin", 1024**3
    block, digest = os.urandom(16 * 1024 * 1024), hashlib.md5()
    with open(source, "wb") as out:
        for _ in range(size // len(block)):
            out.write(block)
            digest.update(block)
    half = re.compile(rf".*/transfers/upload/[0-9a-f]+\?offset={size // 2}$")
    write_notebook(tmp_path / "t.ipynb", [PANEL_CELL])
    with jupyterlab(tmp_path, tmp_path) as server:
        frame = _open_transfers(page, server)
        page.route(half, lambda route: route.abort())
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        row = _row(frame)
        row.and_(frame.locator("[data-state=retrying]")).wait_for(timeout=600_000)
        sent_before = int(row.get_attribute("data-sent"))  # the cut chunk counted as sent
        frame.locator(".cp-tf").evaluate("() => location.reload()")
        page.unroute(half)
        page.wait_for_function(KERNEL_IDLE)
        frame.locator(".cp-tf[data-ready='1']").wait_for(timeout=60_000)
        frame.locator(".cp-tf-files-input").set_input_files(str(source))
        row = _row(frame)
        row.and_(frame.locator("[data-state=done][data-md5]")).wait_for(timeout=600_000)
        assert "resumed at" in row.inner_text()
        assert row.get_attribute("data-md5") == digest.hexdigest()
        resent = sent_before + int(row.get_attribute("data-sent")) - size
        assert 0 <= resent <= 0.05 * size, resent
        assert (tmp_path / "data" / "dataset.bin").stat().st_size == size
