"""A kernel stand-in for crash tests: records like a kernel with a panel, runs a 'cell', allocates.

    python -m tests.support.kernel_standin STATE_DIR [--cgroup DIR] [--cap-mb N]

With --cgroup it first moves itself into that memory cgroup (the test set its limit). It
prints "allocated <MB>" after each chunk, so the test knows when to kill it, and never exits
on its own while allocating up to --cap-mb (0: no cap, until the cgroup's limit kills it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from colab_panel.monitor.flight_recorder import FlightRecorder
from colab_panel.monitor.sampler import Sampler

CHUNK_MB = 8


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("state_dir")
    parser.add_argument("--cgroup", default=None)
    parser.add_argument("--cap-mb", type=int, default=0)
    args = parser.parse_args()
    if args.cgroup:
        with open(os.path.join(args.cgroup, "cgroup.procs"), "w") as procs:
            procs.write(str(os.getpid()))
    sampler = Sampler(interval_s=0.1)
    recorder = FlightRecorder(args.state_dir, flush_s=0.2, segment_s=1.0, keep_segments=4).attach(sampler)
    sampler.start()
    time.sleep(0.3)
    recorder.cell_started(12, "model.fit(x, epochs=3)  # the cell that eats memory\nmore()")
    held = []
    while not args.cap_mb or len(held) * CHUNK_MB < args.cap_mb:
        held.append(bytearray(b"\x01") * (CHUNK_MB << 20))  # written, so every page is really used
        print(f"allocated {len(held) * CHUNK_MB}", flush=True)
        time.sleep(0.05)
    print("capped", flush=True)
    while True:  # hold it until the test kills us
        time.sleep(1)


if __name__ == "__main__":
    sys.exit(main())
