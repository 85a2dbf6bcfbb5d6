import pytest

from colab_panel.units import human_bytes, human_duration


@pytest.mark.parametrize("n, text", [
    (None, "n/a"), (0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"), (1536, "1.5 KB"),
    (15 * 1024**3, "15.0 GB"), (3 * 1024**5, "3.0 PB"), (2 * 1024**6, "2048.0 PB"),
])
def test_human_bytes(n, text):
    assert human_bytes(n) == text


@pytest.mark.parametrize("s, text", [
    (None, "n/a"), (0, "0 s"), (42.4, "42 s"), (60, "1 min 00 s"), (3725, "1 h 02 min"),
    (12 * 3600, "12 h 00 min"),
])
def test_human_duration(s, text):
    assert human_duration(s) == text
