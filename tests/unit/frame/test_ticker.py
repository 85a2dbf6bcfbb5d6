"""The ticker's page-side messages reach its callbacks through ipywidgets' real comm handler."""

from colab_panel.widgets.ticker import Ticker


def _deliver(widget, content) -> None:
    """What ipywidgets does with a `model.send(content)` from the page."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})


def test_tick_messages_run_callbacks_once_per_burst():
    ticker = Ticker(interval_ms=60_000)
    calls = []
    ticker.on_tick(lambda: calls.append("a"))
    ticker.on_tick(lambda: 1 / 0)  # a failing callback must not stop the others
    ticker.on_tick(lambda: calls.append("b"))
    for _ in range(5):  # ticks queued while a cell was busy arrive together
        _deliver(ticker, {"type": "tick"})
    _deliver(ticker, {"type": "something-else"})
    assert calls == ["a", "b"]
    ticker.close()


def test_ticker_ships_its_front_end():
    ticker = Ticker(interval_ms=1500)
    assert "model.send" in ticker._esm and ticker.interval_ms == 1500
    ticker.close()
