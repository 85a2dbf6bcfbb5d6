"""Listing a 10,000-child folder: `Drive.list` vs PyDrive2's plain `ListFile(...).GetList()`.

Both talk to the same loopback emulator (max_page_size=1000, as Google's own cap) over real
HTTPS, side by side in one run. PyDrive2's `GetList()` already asks for 1000 per page when no
`maxResults` is given, but sends no `fields` selector (every item comes back whole, ~40
fields); `Drive.list` asks for 1000 per page and only the fields a `DriveItem` needs. The
emulator's items are small, so the partial response saves less here than against Google,
whose full v2 File resources are larger. Reported: requests used (the
issue's goal is ceil(N/1000) = 10) and wall time (ours / PyDrive2's; lower is better), plus
the time to the first page (what the tab shows first).
"""

from __future__ import annotations

import math
import time

from benchmarks.harness import Row

N = 10_000
FOLDER_ID = "1BenchFolderBenchFolderBenchFo00"


def run() -> list[Row]:
    from colab_panel.drive.client import Drive
    from colab_panel.drive.emulator import DriveEmulator

    manifest = {"items": [{"title": "big", "id": FOLDER_ID, "children": [
        {"title": f"file-{i:05d}.txt", "content": ""} for i in range(N)]}]}
    with DriveEmulator(manifest=manifest, max_page_size=1000) as emu:
        ours = Drive.for_emulator(emu.base_url, emu.token, emu.ca_cert_path)
        theirs = emu.pydrive2_drive()
        try:
            ours.list(FOLDER_ID)  # warm both connections and the emulator
            theirs.ListFile({"q": f"'{FOLDER_ID}' in parents and trashed=false", "maxResults": 10}).GetList()
            emu.requests.clear()
            start = time.perf_counter()
            first_page = next(ours.iter_pages(FOLDER_ID))
            first_s = time.perf_counter() - start
            assert len(first_page) == 1000
            emu.requests.clear()
            start = time.perf_counter()
            items = ours.list(FOLDER_ID)
            ours_s = time.perf_counter() - start
            ours_requests = emu.requests.count(path="/drive/v2/files")
            emu.requests.clear()
            start = time.perf_counter()
            plain = theirs.ListFile({"q": f"'{FOLDER_ID}' in parents and trashed=false"}).GetList()
            theirs_s = time.perf_counter() - start
            theirs_requests = emu.requests.count(path="/drive/v2/files")
            assert len(items) == len(plain) == N
        finally:
            ours.close()
    goal_requests = math.ceil(N / 1000)
    return [
        Row("list 10,000 items: requests (Drive.list vs PyDrive2 GetList)", ours_requests, theirs_requests, "requests",
            f"= {goal_requests}", ours_requests / theirs_requests, ours_requests == goal_requests),
        Row("list 10,000 items: wall time (Drive.list vs PyDrive2 GetList)", ours_s, theirs_s, "s",
            "< 1x", ours_s / theirs_s, ours_s < theirs_s),
        Row("first page of 1,000 (tab's first screen) vs whole PyDrive2 listing", first_s, theirs_s, "s",
            "< 1x", first_s / theirs_s, first_s < theirs_s),
    ]


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row.cells()))
