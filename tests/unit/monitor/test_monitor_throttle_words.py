"""Clock event (throttle) reasons in words."""

from __future__ import annotations

from colab_panel.monitor.gpu import throttle_words


def test_words_for_known_and_unknown_bits():
    assert throttle_words(None) is None
    assert throttle_words(0) == ()
    assert throttle_words(0x1 | 0x40) == ("idle", "hardware thermal slowdown")
    assert throttle_words(0x200) == ("other (0x200)",)
