"""`colab-panel drive ls|get|download|upload` through `cli.main`, against the emulator."""

from __future__ import annotations


from colab_panel.cli import main


def test_ls_get_download_upload(emulator_env, child, seed_dir, tmp_path, capsys, known):
    emu = emulator_env
    assert main(["drive", "ls"]) == 0
    out = capsys.readouterr().out
    assert "big.bin" in out and "292.97 KB" not in out and "293.0 KB" in out
    assert main(["drive", "ls", "-r", child(emu.root_id, "sub").id]) == 0
    assert "deeper/" in capsys.readouterr().out
    big = child(emu.root_id, "big.bin")
    assert main(["drive", "get", f"https://drive.google.com/file/d/{big.id}/view"]) == 0
    assert f"md5: {emu.store.md5_of(big)}" in capsys.readouterr().out
    assert main(["drive", "download", big.id, str(tmp_path)]) == 0
    assert (tmp_path / "big.bin").read_bytes() == (seed_dir / "big.bin").read_bytes()
    assert main(["drive", "download", known.doc_id, str(tmp_path), "--export", "txt"]) == 0
    assert (tmp_path / "Notes.txt").exists()
    capsys.readouterr()
    local = tmp_path / "up.txt"
    local.write_text("up")
    assert main(["drive", "upload", str(local)]) == 0
    assert "uploaded up.txt as" in capsys.readouterr().out


def test_errors_are_one_line_without_the_token(emulator_env, capsys):
    assert main(["drive", "get", "1MissingMissingMissingMissing0000"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("colab-panel: No Drive file or folder with ID '1MissingMissingMissingMissing0000'")
    assert "Traceback" not in err and emulator_env.token not in err
