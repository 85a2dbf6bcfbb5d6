"""The notification bell in the Colab stand-in: off until clicked, permission asked from that
click, a notice from the kernel shown by the browser, and off again on a second click.

The browser's Notification API is replaced by a recorder (headless Chromium shows none)."""

from __future__ import annotations

NOTIFICATION_RECORDER = """
window.__notes = [];
class RecordedNotification {
  constructor(title, options) { window.__notes.push({ title, body: (options || {}).body || "" }); }
  close() {}
}
RecordedNotification.permission = "default";
RecordedNotification.requestPermission = async () => (RecordedNotification.permission = "granted");
window.Notification = RecordedNotification;
"""


def test_the_bell_asks_once_from_a_click_and_shows_what_the_kernel_sends(colab):
    colab.restart()
    colab.page.context.add_init_script(NOTIFICATION_RECORDER)
    i = colab.run_cell("from colab_panel import Panel\nfrom IPython.display import display\n"
                       "panel = Panel()\ndisplay(panel)")
    frame = colab.output_frame(i)
    bell = frame.locator(".cp-notifier-bell")
    bell.wait_for(timeout=90_000)
    assert "Notify: off" in bell.inner_text()
    assert not frame.locator(".cp-notifier-sound").is_visible()
    bell.click()
    frame.get_by_text("Notify: on").wait_for(timeout=10_000)
    assert frame.locator(".cp-notifier-sound").is_visible()
    # The kernel hears the choice when it is idle; then a notice reaches the browser.
    colab.run_cell("assert panel.notifications.enabled, 'the click did not reach the kernel'")
    colab.run_cell("panel.notifications.notify('Training finished', 'In [7] ran 42 min')\n"
                   "panel.notifications.deliver()")
    out = colab.frame(i)
    out.wait_for_function("() => window.__notes.length > 0", timeout=15_000)
    assert out.evaluate("() => window.__notes") == [{"title": "Training finished", "body": "In [7] ran 42 min"}]
    bell.click()
    frame.get_by_text("Notify: off").wait_for(timeout=10_000)
