"""`colab-panel share ...` against the emulator (through the environment, as the demo does)."""

from __future__ import annotations

import json

import pytest

from colab_panel.cli import main
from colab_panel.drive.auth import ENV_EMULATOR, ENV_EMULATOR_CA, ENV_EMULATOR_TOKEN


@pytest.fixture
def cli_env(emulator, monkeypatch):
    monkeypatch.setenv(ENV_EMULATOR, emulator.base_url)
    monkeypatch.setenv(ENV_EMULATOR_TOKEN, emulator.token)
    monkeypatch.setenv(ENV_EMULATOR_CA, str(emulator.ca_cert_path))


def test_links_without_sign_in_when_the_link_tells_the_type(capsys, monkeypatch):
    monkeypatch.delenv(ENV_EMULATOR, raising=False)
    fid = "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"
    assert main(["share", "links", f"https://drive.google.com/file/d/{fid}/view", "--only", "download"]) == 0
    assert capsys.readouterr().out.strip() == f"https://drive.google.com/uc?export=download&id={fid}"


def test_links_show_and_table(cli_env, known, capsys):
    assert main(["share", "--auth", "emulator", "links", known.doc_id, "--json"]) == 0
    links = json.loads(capsys.readouterr().out)
    assert links["export_pdf"].endswith(f"/document/d/{known.doc_id}/export?format=pdf")
    assert main(["share", "show", known.readonly_id]) == 0
    assert "owner: alice@example.com" in capsys.readouterr().out
    assert main(["share", "table", known.folder_id, "--format", "csv"]) == 0
    assert capsys.readouterr().out.count("\n") == known.batch + 1


def test_set_needs_yes_to_widen_and_prints_the_undo(cli_env, known, grants, capsys):
    assert main(["share", "set", known.file_id, "--anyone", "reader", "--person", "bob@example.com=writer"]) == 2
    out = capsys.readouterr().out
    assert "anyone with the link: no access → can view (widens access)" in out and "--yes" in out
    assert grants(known.file_id) == {}
    assert main(["share", "set", known.file_id, "--anyone", "reader", "--person", "bob@example.com=writer", "--yes"]) == 0
    out = capsys.readouterr().out
    assert grants(known.file_id) == {("anyone", "", True): "reader", ("user", "bob@example.com", True): "writer"}
    undo = out.split("To undo: ", 1)[1].strip()
    assert undo == f"colab-panel share set {known.file_id} --anyone off --person bob@example.com=none"
    assert main(undo.split()[1:]) == 0
    assert grants(known.file_id) == {}


def test_bad_input_in_words(cli_env, known, capsys):
    assert main(["share", "set", known.file_id, "--person", "bob"]) == 1
    assert "write it as EMAIL=ROLE" in capsys.readouterr().err
    assert main(["share", "set", known.file_id, "--anyone", "boss", "--yes"]) == 1
    assert "'boss' is not a sharing role" in capsys.readouterr().err
