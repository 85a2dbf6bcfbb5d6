"""A child process for `kill_resume`: stage one emulator file or folder, print the result, exit.

    python stage_child.py BASE_URL TOKEN CA_CERT ITEM_ID DEST WORKERS CHUNK_BYTES PARALLEL_MIN_BYTES

CHUNK_BYTES and PARALLEL_MIN_BYTES: 0 keeps the defaults (tests lower them for small datasets).
"""

from __future__ import annotations

import sys

from colab_panel.drive.client import Drive
from colab_panel.drive.retry import RetryPolicy
from colab_panel.staging import parallel_ranges, stage
from support.drive import FAST_RETRY


def main(argv: list[str]) -> int:
    base_url, token, ca_cert, item_id, dest, workers, chunk_bytes, parallel_min_bytes = argv
    if int(parallel_min_bytes):
        parallel_ranges.PARALLEL_MIN_BYTES = int(parallel_min_bytes)
    drive = Drive.for_emulator(base_url, token, ca_cert, retry=RetryPolicy(**FAST_RETRY))
    if int(chunk_bytes):
        drive.chunk_size = int(chunk_bytes)
    try:
        result = stage(f"drive:{item_id}", dest, drive=drive, progress=None, workers=int(workers))
    finally:
        drive.close()
    print(result.files, result.bytes, result.cached)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
