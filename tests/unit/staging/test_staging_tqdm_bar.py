"""The CLI's tqdm bar: nothing drawn for a run with nothing to do, and a rate timed from when the
phase began (reports come every 0.1 s; timing from the first one inflated fast phases)."""

import re
import time

from colab_panel import stage
from colab_panel.staging.progress import Progress, TqdmBar


def test_a_cache_hit_draws_no_bar(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("x" * 1000)
    stage(str(tmp_path / "src"), tmp_path / "out", progress="tqdm")
    capsys.readouterr()
    result = stage(str(tmp_path / "src"), tmp_path / "out", progress="tqdm")
    assert result.cached
    assert capsys.readouterr().err == ""


def _rate_bytes_per_s(line: str) -> float:
    number, prefix = re.search(r"([\d.]+)([kMG]?)B/s", line).groups()
    return float(number) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[prefix]


def test_rate_is_bytes_over_time_since_the_phase_began(capsys):
    bar = TqdmBar("stage")
    time.sleep(0.5)  # work before the first report (a throttled callback) still took time
    bar(Progress(10_000_000, 10_000_000, 1, 1, "extract"))
    bar.close()
    rate = _rate_bytes_per_s(capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1])
    assert rate <= 10_000_000 / 0.5 * 1.05  # at most 20 MB/s: 10 MB took at least 0.5 s
