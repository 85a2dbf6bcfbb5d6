"""The Drive tab in JupyterLab: paste a folder link, walk two levels down and back (double-click,
Up and breadcrumbs), a destructive action that asks first, the details of a file (md5, owner,
sharing), its ID copied to the real clipboard with the copy button, and a download to a runtime
path; the keyboard alone opening a folder, going up, selecting three files and trashing them;
a 10,000-item folder that scrolls with few rows in the page; and screenshots at 1400 and 900 px
in JupyterLab's light and dark themes (test-artifacts/drive_tab_*.png).
The kernel talks to a Drive emulator in this process."""

from __future__ import annotations

import hashlib

from browser.conftest import ARTIFACTS
from support.browser import run_notebook
from support.jupyter import jupyterlab, write_notebook
from support.layout_checks import low_contrast
from support.polling import poll_until

from colab_panel.demo.drive_sample import emulator_env
from colab_panel.drive.emulator import DriveEmulator

PROJECT_ID = "1DriveTabProjectDriveTabProject00"
NOTES_ID = "1DriveTabNotesDriveTabNotesDrive00"
BIG_ID = "1DriveTabBigBigDriveTabBigBigDri00"
NOTES = b"hello from the drive tab\n" * 40
LONG_NAME = "imagenet-2012-validation-set-resized-224px-with-bounding-boxes-and-labels-v3.tar.gz"
PANEL_CELL = "from colab_panel import Panel\nPanel()"
ROWS = ".cp-drive-table .cp-ft-row"
MANY = 10_000


def _wait_for_file(path, size, timeout_s=30.0):
    assert poll_until(lambda: path.exists() and path.stat().st_size == size, timeout_s=timeout_s), \
        f"{path} did not appear with {size} bytes"


def _env(emu):
    return emulator_env(emu)


def _row(page, name):
    return page.locator(ROWS, has=page.locator(".cp-ft-name", has_text=name)).first


def _crumbs(page):
    return [t.strip() for t in page.locator("button.cp-drive-crumb").all_inner_texts()]


def _wait_crumbs(page, count):
    page.wait_for_function(f"() => document.querySelectorAll('button.cp-drive-crumb').length === {count}")


def test_walk_down_and_back_details_copy_id_and_download(page, tmp_path):
    manifest = {"items": [
        {"title": "project", "id": PROJECT_ID, "children": [
            {"title": "data", "children": [
                {"title": "train.csv", "content": "x,y\n1,2\n"},
                {"title": "raw", "children": [{"title": "sample.bin", "content": "raw bytes"}]},
            ]},
            {"title": "notes.txt", "id": NOTES_ID, "content": NOTES.decode()},
        ]},
        {"title": "elsewhere.txt", "content": "x"},
    ]}
    with DriveEmulator(manifest=manifest) as emu:
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=_env(emu)) as server:
            page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
            run_notebook(page, server, "drive.ipynb")
            rows = page.locator(ROWS)
            _row(page, "elsewhere.txt").wait_for(timeout=60_000)  # My Drive listed on its own

            page.locator(".cp-drive-link input").fill(f"https://drive.google.com/drive/folders/{PROJECT_ID}?usp=sharing")
            page.locator("button.cp-drive-open").click()
            _row(page, "notes.txt").wait_for()
            # The list box showed "data/"; the table shows a folder icon and the bare name.
            assert rows.count() == 2 and rows.first.locator(".cp-ft-name").inner_text() == "data"
            assert rows.first.locator(".cp-ft-k-folder").count() == 1
            assert _crumbs(page) == ["My Drive", "project"]

            _row(page, "data").dblclick()  # was: select in the list box + "Open folder"
            _row(page, "train.csv").wait_for()
            _wait_crumbs(page, 3)
            assert _crumbs(page) == ["My Drive", "project", "data"]
            _row(page, "raw").click()
            page.locator("button.cp-drive-open-selected").click()  # second level down
            _row(page, "sample.bin").wait_for()
            _wait_crumbs(page, 4)
            assert _crumbs(page) == ["My Drive", "project", "data", "raw"]
            page.locator("button.cp-drive-up").click()  # back up one
            _row(page, "train.csv").wait_for()
            assert _crumbs(page) == ["My Drive", "project", "data"]

            _row(page, "train.csv").click()
            page.locator("button.cp-drive-delete").click()
            prompt = page.locator(".cp-ft-prompt")  # was the confirm bar under the actions
            prompt.wait_for(state="visible")
            assert "Delete 'train.csv' permanently? This cannot be undone" in prompt.inner_text()
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())
            page.locator(".cp-ft-prompt .cp-ft-no").click()
            prompt.wait_for(state="hidden")

            page.locator("button.cp-drive-crumb", has_text="project").click()  # back up by breadcrumb
            _row(page, "notes.txt").wait_for()
            with emu.store.lock:
                assert any(item.title == "train.csv" for item in emu.store.items.values())

            _row(page, "notes.txt").click()
            details = page.locator(".cp-drive-details")
            details.filter(has_text="Private to you").wait_for()  # sharing read from Drive's permissions
            text = details.inner_text()
            assert hashlib.md5(NOTES).hexdigest() in text and "Emulated User" in text

            copy_id = page.locator(".cp-drive-copy-id .cp-copy-button")
            copy_id.click()
            page.wait_for_selector(".cp-drive-copy-id .cp-copy-button.cp-copied")
            assert page.evaluate("() => navigator.clipboard.readText()") == NOTES_ID

            dest = tmp_path / "runtime" / "downloads"
            page.locator(".cp-drive-dest input").fill(f"{dest}/")
            page.locator("button.cp-drive-download").click()
            page.locator(".cp-drive-status", has_text="Saved 'notes.txt'").wait_for()
            _wait_for_file(dest / "notes.txt", len(NOTES))
            assert (dest / "notes.txt").read_bytes() == NOTES


def test_keyboard_only_open_up_select_three_and_trash(page, tmp_path):
    manifest = {"items": [
        {"title": "keys", "children": [{"title": f"k{i}.txt", "content": f"{i}"} for i in range(1, 6)]},
        {"title": "zz.txt", "content": "z"},
    ]}
    with DriveEmulator(manifest=manifest) as emu:
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=_env(emu)) as server:
            run_notebook(page, server, "drive.ipynb")
            _row(page, "zz.txt").wait_for(timeout=60_000)
            # Focus lands in the table as Tab would put it there; from here on, only keys.
            page.locator(".cp-drive-table .cp-ft-body").focus()
            page.keyboard.press("ArrowDown")  # "keys": folders come first
            page.keyboard.press("Enter")
            _row(page, "k5.txt").wait_for()
            assert _crumbs(page) == ["My Drive", "keys"]
            page.keyboard.press("Backspace")  # up
            _row(page, "zz.txt").wait_for()
            _wait_crumbs(page, 1)
            page.keyboard.press("ArrowDown")
            page.keyboard.press("Enter")
            _row(page, "k5.txt").wait_for()
            page.keyboard.press("ArrowDown")  # k1
            page.keyboard.press("Shift+ArrowDown")
            page.keyboard.press("Shift+ArrowDown")  # k1..k3
            assert page.locator(f"{ROWS}.cp-ft-selected").count() == 3
            page.locator(".cp-drive-details", has_text="3 items selected").wait_for()  # the kernel heard it
            page.keyboard.press("Delete")
            prompt = page.locator(".cp-ft-prompt")
            prompt.wait_for(state="visible")
            assert "Move 3 items to the trash?" in prompt.inner_text()
            assert page.evaluate("() => document.activeElement.classList.contains('cp-ft-yes')")
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / "drive_tab_confirm_light.png"))
            page.keyboard.press("Enter")  # "Move to trash" has the focus
            page.locator(".cp-drive-status", has_text="Moved 3 items to the trash.").wait_for()
            _row(page, "k1.txt").wait_for(state="detached")  # the list read again after the change
            assert sorted(page.locator(f"{ROWS} .cp-ft-name").all_inner_texts()) == ["k4.txt", "k5.txt"]
            with emu.store.lock:
                trashed = sorted(i.title for i in emu.store.items.values() if i.explicitly_trashed)
            assert trashed == ["k1.txt", "k2.txt", "k3.txt"]


def _no_overflow(page) -> list[str]:
    """Rows, buttons and labels of the Drive tab whose content is wider than their box."""
    return page.evaluate("""() => [...document.querySelectorAll(
        '.cp-drive .cp-ft-row, .cp-drive .cp-ft-head, .cp-drive button, .cp-drive .cp-drive-status')]
      .filter(e => e.offsetParent && e.scrollWidth > e.clientWidth + 1)
      .map(e => (e.className + ': ' + e.textContent).slice(0, 80))""")


def _dark(page) -> None:
    page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Dark'})")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applies


def test_ten_thousand_items_scroll_names_whole_and_screenshots(page, tmp_path):
    children = [{"title": f"file-{i:05d}.txt", "content": ""} for i in range(MANY - 1)]
    children.append({"title": LONG_NAME, "content": "x" * 5000})
    manifest = {"items": [
        {"title": "big", "id": BIG_ID, "children": children},
        {"title": "datasets", "children": [{"title": "cats", "children": []}]},
        {"title": LONG_NAME, "content": "y" * 123_456},
        {"title": "results.csv", "content": "a,b\n"},
        {"title": "Report", "mimeType": "application/vnd.google-apps.document", "content": "text"},
        {"title": "Numbers", "mimeType": "application/vnd.google-apps.spreadsheet", "content": "1"},
        {"title": "photo.png", "content": "png"},
        {"title": "train.py", "content": "print()"},
    ]}
    ARTIFACTS.mkdir(exist_ok=True)
    with DriveEmulator(manifest=manifest, max_page_size=1000) as emu:
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=_env(emu)) as server:
            page.set_viewport_size({"width": 1400, "height": 1000})
            run_notebook(page, server, "drive.ipynb")
            _row(page, "results.csv").wait_for(timeout=60_000)

            name = _row(page, LONG_NAME).locator(".cp-ft-name")
            assert name.inner_text() == LONG_NAME and name.get_attribute("title") == LONG_NAME  # never cut to 31
            assert _no_overflow(page) == []
            _row(page, "results.csv").click()
            page.keyboard.press("Shift+ArrowDown")  # two selected rows in the screenshots and the contrast check
            for width, theme in ((1400, "light"), (900, "light"), (900, "dark"), (1400, "dark")):
                if theme == "dark" and width == 900:
                    _dark(page)
                page.set_viewport_size({"width": width, "height": 1000})
                page.wait_for_timeout(400)
                assert _no_overflow(page) == [], (width, theme)
                assert low_contrast(page, ".cp-drive") == [], (width, theme)  # WCAG AA, 4.5:1
                page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / f"drive_tab_{width}_{theme}.png"))

            link = page.locator(".cp-drive-link input")
            link.fill(BIG_ID)
            link.press("Enter")  # Enter in the link box opens it
            foot = page.locator(".cp-drive-table .cp-ft-foot")
            foot.filter(has_text=f"{MANY:,} items").wait_for(timeout=120_000)
            assert page.locator(ROWS).count() < 200  # virtualized: only the rows in view exist
            body = page.locator(".cp-drive-table .cp-ft-body")
            body.evaluate("b => { b.scrollTop = b.scrollHeight; }")
            _row(page, "file-09998.txt").wait_for()  # the last rows, fetched when scrolled to
            assert page.locator(ROWS).count() < 200
            body.evaluate("b => { b.scrollTop = b.scrollHeight / 2; }")
            _row(page, "file-05000.txt").wait_for()
            assert page.locator(ROWS).count() < 200
            page.locator(".cp-drive-table .cp-ft-sort", has_text="Name").click()  # descending now
            page.locator(".cp-drive-table .cp-ft-sort[aria-sort=descending]").wait_for()
            body.evaluate("b => { b.scrollTop = 0; }")
            _row(page, "imagenet-2012").wait_for()  # "i" > "f": first when descending
            page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / "drive_tab_10000_dark.png"))


def test_not_signed_in_offers_sign_in_with_errors_beside_it(page, tmp_path):
    write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config"), "COLAB_PANEL_DRIVE_SERVICE_ACCOUNT": ""}
    with jupyterlab(tmp_path, tmp_path, env_extra=env) as server:
        page.set_viewport_size({"width": 1400, "height": 900})
        run_notebook(page, server, "drive.ipynb")
        row = page.locator(".cp-drive-signin")
        row.wait_for(timeout=60_000)
        error = page.locator(".cp-drive-err-sign_in")
        error.locator("summary", has_text="No Google Drive credentials are available.").wait_for()
        assert not error.locator(".cp-drive-err-more").is_visible()  # the detail is one click away
        error.locator("summary").click()
        assert "colab-panel demo" in error.locator(".cp-drive-err-more").inner_text()
        page.locator(".cp-drive-signin-choice select").select_option(label="Service-account key file")
        page.locator(".cp-drive-signin-path input").fill(str(tmp_path / "missing.json"))
        page.locator("button.cp-drive-signin-go").click()
        error.filter(has_text="No service-account key file").wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / "drive_tab_signin_1400_light.png"))
        _dark(page)
        page.set_viewport_size({"width": 900, "height": 900})
        page.wait_for_timeout(400)
        assert _no_overflow(page) == []
        page.locator(".cp-drive").screenshot(path=str(ARTIFACTS / "drive_tab_signin_900_dark.png"))


def test_mouse_multi_select_hands_to_share_and_the_trash_place(page, tmp_path):
    manifest = {"items": [
        {"title": f"m{i}.csv", "content": f"{i}"} for i in range(1, 6)
    ] + [{"title": "gone.txt", "content": "g", "trashed": True}, {"title": "fav.txt", "content": "f", "starred": True}]}
    with DriveEmulator(manifest=manifest) as emu:
        write_notebook(tmp_path / "drive.ipynb", [PANEL_CELL])
        with jupyterlab(tmp_path, tmp_path, env_extra=_env(emu)) as server:
            run_notebook(page, server, "drive.ipynb")
            _row(page, "m5.csv").wait_for(timeout=60_000)
            _row(page, "m1.csv").click()
            _row(page, "m3.csv").click(modifiers=["Shift"])  # m1..m3
            _row(page, "m5.csv").click(modifiers=["Control"])  # and m5
            assert page.locator(f"{ROWS}.cp-ft-selected .cp-ft-name").all_inner_texts() == [
                "m1.csv", "m2.csv", "m3.csv", "m5.csv"]
            page.locator(".cp-drive-details", has_text="4 items selected").wait_for()
            page.locator("button.cp-drive-share").click()
            # The Share tab is shown, with the four items as its batch table.
            page.locator(".cp-tab-button.cp-tab-current", has_text="Share").wait_for()
            batch = page.locator(".cp-tab-share .cp-share-batch-table")
            for name in ("m1.csv", "m2.csv", "m3.csv", "m5.csv"):
                batch.get_by_text(name, exact=True).wait_for()
            assert batch.get_by_text("m4.csv", exact=True).count() == 0

            page.locator(".cp-tab-button", has_text="Drive").click()
            page.locator("button.cp-drive-place-starred").click()
            _row(page, "fav.txt").wait_for()
            page.locator("button.cp-drive-place-trash").click()
            _row(page, "gone.txt").wait_for()
            assert page.locator(ROWS).count() == 1
            page.locator("button.cp-drive-empty-trash").click()
            prompt = page.locator(".cp-ft-prompt")
            prompt.filter(has_text="Empty the trash?").wait_for()
            page.locator(".cp-ft-prompt .cp-ft-yes").click()
            page.locator(".cp-drive-table .cp-ft-empty", has_text="The trash is empty.").wait_for()
            with emu.store.lock:
                assert not any(i.title == "gone.txt" for i in emu.store.items.values())
