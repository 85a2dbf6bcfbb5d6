"""The header controller reads true facts; its view renders them in words and recovers from errors."""

import platform
from pathlib import Path

from colab_panel.controllers.header import HeaderController
from colab_panel.runtime.facts import RuntimeFacts, read_runtime_facts
from colab_panel.runtime.frontend import Frontend
from colab_panel.views.header import HeaderView, render_fact_chips


def _facts(**overrides) -> RuntimeFacts:
    values = dict(frontend=Frontend.COLAB, python_version="3.12.4", gpu_present=True,
                  gpu_summary="1 × Tesla T4, driver 535.104.05", torch_summary=None,
                  ram_used_bytes=11 * 1024**3, ram_total_bytes=12 * 1024**3, cwd=Path("/content"),
                  cwd_free_bytes=80 * 1024**3, staging_dir=Path("/content/data"),
                  staging_free_bytes=1024**3, drive_mounted=True,
                  colab_session_age_s=11.5 * 3600, read_at=0.0)
    values.update(overrides)
    return RuntimeFacts(**values)


def test_read_runtime_facts_are_true_here(tmp_path):
    facts = read_runtime_facts(staging_dir=tmp_path / "data")
    assert facts.python_version == platform.python_version()
    assert facts.frontend is Frontend.PYTHON
    assert facts.ram_total_bytes and 0 < facts.ram_used_bytes < facts.ram_total_bytes
    assert facts.staging_dir == tmp_path / "data"
    assert facts.staging_free_bytes and facts.staging_free_bytes > 0  # nearest existing parent
    assert facts.colab_session_age_s is None  # not Colab
    assert facts.drive_mounted is False
    if not facts.gpu_present:  # this machine has no NVIDIA driver: the header says so in words
        assert "NVIDIA" in facts.gpu_summary or "GPU" in facts.gpu_summary


def test_chips_warn_in_colour_and_words():
    chips = "".join(render_fact_chips(_facts()))
    assert "<b>Colab</b>" in chips
    assert "GPU: 1 × Tesla T4" in chips and "cp-fact-gpu cp-ok" in chips
    assert "cp-fact-ram cp-warn" in chips  # 11 of 12 GB used
    assert "cp-fact-staging-disk cp-bad" in chips  # 1 GB free where datasets go
    assert "Runtime up 11 h 30 min" in chips and "free tier" in chips and "cp-fact-session cp-bad" in chips
    assert "Drive mounted" in chips


def test_chips_escape_text_and_omit_what_does_not_apply():
    chips = "".join(render_fact_chips(_facts(gpu_present=False, gpu_summary="<no driver>",
                                             colab_session_age_s=None, torch_summary=None)))
    assert "&lt;no driver&gt;" in chips and "<no driver>" not in chips
    assert "Session" not in chips and "torch" not in chips


def test_view_shows_the_controller_error_and_refresh_clears_it(monkeypatch, tmp_path):
    controller = HeaderController(staging_dir=tmp_path)
    view = HeaderView(controller)
    assert "reading runtime" in view.facts_html.value

    def broken(_staging):
        raise OSError("disk on fire")

    monkeypatch.setattr("colab_panel.controllers.header.read_runtime_facts", broken)
    view.refresh_button.click()
    assert "Could not read the runtime facts: disk on fire" in view.facts_html.value
    monkeypatch.undo()
    view.refresh_button.click()
    assert controller.error == "" and "Python " + platform.python_version() in view.facts_html.value
    assert not view.refresh_button.disabled


def test_mount_button_says_mount_or_remount_and_shows_the_answer_in_words(monkeypatch, tmp_path):
    from colab_panel.drive import mounting
    from colab_panel.runtime import frontend

    monkeypatch.setattr(frontend, "in_colab", lambda: False)
    controller = HeaderController(staging_dir=tmp_path)
    view = HeaderView(controller)
    controller.facts = _facts(drive_mounted=False)
    assert view.mount_button.description == "Mount Drive"
    controller.facts = _facts(drive_mounted=True)
    assert view.mount_button.description == "Remount Drive"
    calls = []
    monkeypatch.setattr(controller, "refresh", lambda: None)  # keep the facts given above
    real = mounting.mount_drive
    monkeypatch.setattr(mounting, "mount_drive", lambda *a, **k: calls.append(k) or real(*a, **k))
    view.mount_button.click()
    assert calls == [{"force_remount": True}]
    assert "Drive mounting is a Colab feature" in view.facts_html.value and "connect()" in view.facts_html.value
    assert "cp-fact-mount cp-error" in view.facts_html.value


def test_one_disk_chip_when_working_dir_and_staging_share_a_filesystem(tmp_path):
    from colab_panel.runtime.facts import same_filesystem

    assert same_filesystem(tmp_path, tmp_path / "not" / "made" / "yet") is True
    chips = "".join(render_fact_chips(_facts(staging_on_cwd_disk=True, cwd_free_bytes=80 * 1024**3,
                                             staging_free_bytes=80 * 1024**3)))
    assert chips.count("cp-fact-disk") == 1 and "staging-disk" not in chips
    assert "/content/data (staging)" in chips  # both places named in its tooltip
    apart = "".join(render_fact_chips(_facts(staging_on_cwd_disk=False)))
    assert "cp-fact-disk" in apart and "cp-fact-staging-disk cp-bad" in apart


def test_no_gpu_chip_is_short_and_says_why_in_its_tooltip():
    chips = "".join(render_fact_chips(_facts(gpu_present=False,
                                             gpu_summary="NVML library not found: no NVIDIA driver")))
    assert '>No GPU<' in chips and 'title="NVML library not found: no NVIDIA driver"' in chips
