"""check_link against the emulator's anonymous side: every outcome, in words, with its one fix.

The visitor is a real HTTP client with no token and no cookies; the owner's view (the fix) comes
from a real `Drive` on the same emulator. A widening fix is applied only through apply_plan with
confirm=True, and afterwards the same link is checked again and works.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from colab_panel import LinkCheckError, check_link
from colab_panel.drive.client import Drive
from colab_panel.drive.emulator import DriveEmulator
from colab_panel.errors import ConfirmationRequired
from colab_panel.share import apply_plan
from colab_panel.share.web_fetch import WebFetcher
from support.drive import emulator_drive

PUBLIC = "1PublicPublicPublicPublicPublic00"
PRIVATE = "1PrivatePrivatePrivatePrivatePr00"
BIG = "1BigBigBigBigBigBigBigBigBigBigB00"
KEYED = "1KeyedKeyedKeyedKeyedKeyedKeyed00"
KEY = "0-linkkey42"
DOMAIN = "1DomainDomainDomainDomainDomain00"
FOLDER = "1FolderLinkFolderLinkFolderLink00"
ALICE = "1AliceAliceAliceAliceAliceAlic00"
TRASHED = "1TrashedTrashedTrashedTrashedTr00"
ANYONE = [{"type": "anyone", "role": "reader", "withLink": True}]


@pytest.fixture
def emu() -> Iterator[DriveEmulator]:
    manifest = {
        "accounts": [{"email": "alice@example.com", "name": "Alice", "token": "alice-token"}],
        "items": [
            {"title": "public.csv", "id": PUBLIC, "content": "a,b\n1,2\n", "permissions": ANYONE},
            {"title": "private.csv", "id": PRIVATE, "content": "secret\n"},
            {"title": "big.bin", "id": BIG, "content": "x" * 4096, "permissions": ANYONE},
            {"title": "old.zip", "id": KEYED, "content": "zip", "resourceKey": KEY,
             "requiresResourceKey": True, "permissions": ANYONE},
            {"title": "team.txt", "id": DOMAIN, "content": "t",
             "permissions": [{"type": "domain", "role": "reader", "domain": "example.com", "withLink": True}]},
            {"title": "shared folder", "id": FOLDER, "permissions": ANYONE,
             "children": [{"title": "inside.txt", "content": "i"}]},
            {"title": "alice.txt", "id": ALICE, "owner": "alice@example.com", "content": "a",
             "permissions": [{"type": "user", "role": "reader", "emailAddress": "me@example.com"}]},
            {"title": "binned.txt", "id": TRASHED, "content": "b", "trashed": True, "permissions": ANYONE},
        ],
    }
    with DriveEmulator(manifest=manifest) as emulator:
        emulator.web.virus_scan_bytes = 1024
        yield emulator


@pytest.fixture
def fetch(emu: DriveEmulator) -> WebFetcher:
    return WebFetcher.for_emulator(emu.base_url, emu.ca_cert_path)


@pytest.fixture
def drive(emu: DriveEmulator) -> Iterator[Drive]:
    with emulator_drive(emu) as d:
        yield d


def test_public_file_downloads_and_no_token_is_sent(emu, fetch):
    verdict = check_link(f"https://drive.google.com/file/d/{PUBLIC}/view?usp=sharing", fetch=fetch)
    assert verdict.outcome == "downloads" and verdict.works
    assert "downloads directly" in verdict.describe()


def test_private_file_needs_sign_in_and_the_fix_is_a_confirmed_plan(emu, fetch, drive):
    link = f"https://drive.google.com/file/d/{PRIVATE}/view"
    verdict = check_link(link, fetch=fetch, drive=drive)
    assert verdict.outcome == "needs_sign_in" and not verdict.works
    assert verdict.fix is not None and verdict.fix.widens
    assert "anyone with the link" in verdict.fix.describe()
    with pytest.raises(ConfirmationRequired):
        apply_plan(verdict.fix, drive=drive)
    assert check_link(link, fetch=fetch).outcome == "needs_sign_in"  # nothing changed without confirm
    apply_plan(verdict.fix, confirm=True, drive=drive)
    assert check_link(link, fetch=fetch).outcome == "downloads"


def test_private_file_without_a_drive_names_both_causes(fetch):
    verdict = check_link(PRIVATE, fetch=fetch)
    assert verdict.outcome == "needs_sign_in" and verdict.fix is None
    assert "resource key" in verdict.words and "Anyone with the link" in verdict.fix_words


def test_domain_only_sharing_is_named_and_fixed(fetch, drive):
    verdict = check_link(DOMAIN, fetch=fetch, drive=drive)
    assert verdict.outcome == "needs_sign_in"
    assert "people in example.com with the link" in verdict.words
    assert verdict.fix is not None and verdict.fix.widens


def test_missing_resource_key_gives_the_working_link_not_a_sharing_change(fetch, drive):
    verdict = check_link(f"https://drive.google.com/file/d/{KEYED}/view", fetch=fetch, drive=drive)
    assert verdict.outcome == "needs_resource_key" and verdict.fix is None
    assert f"resourcekey={KEY}" in verdict.working_link
    assert check_link(verdict.working_link, fetch=fetch).outcome == "downloads"


def test_large_file_hits_the_virus_scan_page_but_works(emu, fetch):
    verdict = check_link(f"https://drive.google.com/uc?id={BIG}&export=download", fetch=fetch)
    assert verdict.outcome == "virus_scan" and verdict.works
    assert "confirm=t" in verdict.fix_words
    # the page's form leads to the file, as download tools expect
    moved = fetch(f"https://drive.google.com/uc?id={BIG}&export=download")
    assert moved.status == 303 and "/download?id=" in moved.location  # as Google sends /uc on
    page = fetch(f"https://drive.usercontent.google.com/download?id={BIG}&export=download").text
    assert 'id="download-form"' in page and 'name="confirm" value="t"' in page
    done = fetch(f"https://drive.usercontent.google.com/download?id={BIG}&export=download&confirm=t")
    assert done.status == 200 and "content-disposition" in done.headers


def test_over_quota_names_copy_to_my_drive_and_the_api_refuses_too(emu, fetch, drive, tmp_path):
    emu.web.exceed_download_quota(PUBLIC)
    verdict = check_link(PUBLIC, fetch=fetch, drive=drive)
    assert verdict.outcome == "over_quota" and not verdict.works
    assert "Too many" not in verdict.words and "too many people" in verdict.words
    assert f"Drive.copy('{PUBLIC}')" in verdict.fix_words and "colab-panel drive copy" in verdict.fix_words
    from colab_panel import DriveQuotaExceeded
    with pytest.raises(DriveQuotaExceeded):
        drive.download(PUBLIC, tmp_path / "x.csv")


def test_gone_for_a_wrong_id_and_for_a_trashed_item(fetch, drive):
    assert check_link("1NoSuchNoSuchNoSuchNoSuchNoSuch00", fetch=fetch).outcome == "gone"
    trashed = check_link(TRASHED, fetch=fetch, drive=drive)
    assert trashed.outcome == "gone" and "trash" in trashed.fix_words


def test_folder_opens(fetch):
    verdict = check_link(f"https://drive.google.com/drive/folders/{FOLDER}", fetch=fetch)
    assert verdict.outcome == "opens" and verdict.works
    assert check_link(FOLDER, fetch=fetch).outcome == "opens"  # bare ID: /uc sends on to the page


def test_someone_elses_file_says_ask_the_owner(fetch, drive):
    verdict = check_link(ALICE, fetch=fetch, drive=drive)
    assert verdict.outcome == "needs_sign_in"
    assert verdict.fix is None  # a plan this account could not apply is not offered
    assert verdict.fix_words.startswith("ask alice@example.com to turn on 'Anyone with the link'")


def test_not_a_drive_link_and_unreachable_are_link_check_errors():
    with pytest.raises(LinkCheckError, match="not a Google Drive"):
        check_link("https://example.com/file.zip", fetch=lambda url: None)  # type: ignore[arg-type,return-value]

    def offline(url: str):
        raise OSError("Network is unreachable")

    with pytest.raises(LinkCheckError, match="Could not reach Google Drive"):
        check_link(PUBLIC, fetch=offline)


def test_the_visitor_sends_no_credentials_even_after_a_cookie_was_offered(emu, fetch):
    fetch(f"https://drive.google.com/uc?id={BIG}&export=download")  # pages may set cookies
    fetch(f"https://drive.google.com/uc?id={PUBLIC}&export=download")
    web = [r for r in emu.requests.records if r.path == "/uc"]
    assert len(web) == 2
    assert all("cookie" not in r.headers for r in web)  # (the log never keeps Authorization)


def test_share_tab_checks_the_loaded_link_and_its_fix_waits_for_confirm(emu, fetch, drive):
    from colab_panel.controllers.share import ShareController
    from colab_panel.share import ShareHistory
    from colab_panel.views.share import ShareTab

    controller = ShareController(drive=drive, history=ShareHistory(), fetch=fetch)
    tab = ShareTab(controller)
    try:
        tab.target.value = PRIVATE
        tab.show_button.click()
        tab.link_check.check_button.click()
        assert controller.error == ""
        assert "Does not work for others" in tab.link_check.answer.value
        assert tab.link_check.fix_button.layout.display is None  # shown
        tab.link_check.fix_button.click()
        assert controller.pending and controller.pending_widens
        assert check_link(PRIVATE, fetch=fetch).outcome == "needs_sign_in"  # not yet applied
        tab.confirm_button.click()
        assert controller.error == "", controller.error
        tab.link_check.check_button.click()
        assert "Works for others" in tab.link_check.answer.value
        assert tab.link_check.fix_button.layout.display == "none"
    finally:
        controller.close()
        tab.close()


def test_share_tab_check_without_a_link_says_so(drive, fetch):
    from colab_panel.controllers.share import ShareController
    from colab_panel.share import ShareHistory

    controller = ShareController(drive=drive, history=ShareHistory(), fetch=fetch)
    controller.check_link()
    assert "Paste a Drive link or ID first" in controller.error
    controller.propose_link_fix()
    assert "No sharing change to review" in controller.error


def test_cli_share_check_and_fix(emu, monkeypatch, capsys):
    from colab_panel.cli import main
    from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN

    monkeypatch.setenv(ENV_EMULATOR, emu.base_url)
    monkeypatch.setenv(ENV_EMULATOR_TOKEN, emu.token)
    monkeypatch.setenv(ENV_EMULATOR_CA, str(emu.ca_cert_path))
    assert main(["share", "check", PUBLIC, "--no-sign-in"]) == 0
    assert "Works for others" in capsys.readouterr().out
    assert main(["share", "check", PRIVATE]) == 3
    assert "Run again with --fix --yes" in capsys.readouterr().out
    assert main(["share", "check", PRIVATE, "--fix"]) == 2
    assert "nothing was changed" in capsys.readouterr().out
    assert main(["share", "check", PRIVATE, "--fix", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "Applied." in out and out.rstrip().endswith("the file downloads directly, with no sign-in.")
    assert main(["share", "check", "https://example.com/x"]) == 1
    assert "not a Google Drive" in capsys.readouterr().err


def test_share_tab_checks_without_forcing_a_sign_in(fetch):
    from colab_panel.controllers.share import ShareController
    from colab_panel.share import ShareHistory

    def no_sign_in():
        raise AssertionError("checking a link must not sign in")

    controller = ShareController(drive_factory=no_sign_in, history=ShareHistory(), fetch=fetch)
    controller.target = PRIVATE
    controller.check_link()
    assert controller.error == "" and controller.link_verdict.outcome == "needs_sign_in"
    assert not controller.can_fix_link  # no account to plan a fix with


def test_the_fetcher_from_the_environment_visits_the_emulator(emu, monkeypatch):
    """What the panel's Share tab uses: under the emulator's variables the visitor goes there,
    not to Google (where this machine has no route)."""
    from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA

    monkeypatch.setenv(ENV_EMULATOR, emu.base_url)
    monkeypatch.setenv(ENV_EMULATOR_CA, str(emu.ca_cert_path))
    fetch = WebFetcher.from_environment()
    assert check_link(PUBLIC, fetch=fetch).outcome == "downloads"
    assert check_link(PRIVATE, fetch=fetch).outcome == "needs_sign_in"
    monkeypatch.delenv(ENV_EMULATOR)
    assert WebFetcher.from_environment().rewrite_to is None
