"""The panel's colours where JupyterLab's --jp-* variables are missing: under Colab's --colab-*
variables (light and dark) and on a page with neither (the browser's light or dark preference).

The page holds the panel's real CSS and real header chips, tab bar, headings, muted and error
lines; every text must reach WCAG AA contrast (4.5:1) on the background it is drawn on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from colab_panel.runtime.facts import RuntimeFacts
from colab_panel.runtime.frontend import Frontend
from colab_panel.views.header import render_fact_chips
from colab_panel.views.style import PANEL_CSS
from support.layout_checks import low_contrast

# Colab's own values for its variables, light and dark (as its output frames set them)
COLAB = {
    "light": {"--colab-primary-text-color": "#1f1f1f", "--colab-primary-surface-color": "#ffffff",
              "--colab-border-color": "#c4c7c5", "--colab-anchor-color": "#0b57d0"},
    "dark": {"--colab-primary-text-color": "#e3e3e3", "--colab-primary-surface-color": "#1f1f1f",
             "--colab-border-color": "#5f6368", "--colab-anchor-color": "#a8c7fa"},
}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "layout"


def _facts(**overrides) -> RuntimeFacts:
    values = dict(frontend=Frontend.COLAB, python_version="3.12.4", gpu_present=False,
                  gpu_summary="no NVIDIA driver", torch_summary="torch 2.5 installed",
                  ram_used_bytes=11 * 1024**3, ram_total_bytes=12 * 1024**3, cwd=Path("/content"),
                  cwd_free_bytes=80 * 1024**3, staging_dir=Path("/content/data"),
                  staging_free_bytes=1024**3, drive_mounted=True,
                  colab_session_age_s=11.5 * 3600, read_at=0.0, staging_on_cwd_disk=False)
    values.update(overrides)
    return RuntimeFacts(**values)


def _page(host: dict[str, str], scheme: str) -> str:
    variables = "".join(f"{name}: {value};" for name, value in host.items())
    # A host page paints its background with its own colour; with no host colours, the page
    # follows the browser's preference as Colab's frames do.
    body = ("background: var(--colab-primary-surface-color);" if host
            else f"color-scheme: {scheme}; background: Canvas;")
    chips = "".join(render_fact_chips(_facts()))
    return (f"<html><head><style>body {{ {variables} {body} margin: 8px; }}</style></head><body>"
            f"{PANEL_CSS}<div class='cp-panel'><span class='cp-facts-row'><span class='cp-title'>Colab Panel"
            f"</span>{chips}</span><div class='cp-tabbar'><button class='cp-tab-button cp-tab-current'>"
            f"Drive</button><button class='cp-tab-button'>Staging</button></div>"
            f"<div class='cp-section-h'>Stage a dataset onto local disk</div>"
            f"<span class='cp-muted'>Sampling every 1 s</span><br><span class='cp-error'>No such file</span>"
            f"<div class='cp-last-exit'>Why the last kernel stopped: out of memory</div></div></body></html>")


@pytest.mark.parametrize("host", ["colab", "none"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_reads_without_jupyterlab_variables(page, host, scheme):
    page.emulate_media(color_scheme=scheme)
    page.set_content(_page(COLAB[scheme] if host == "colab" else {}, scheme))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".cp-panel").screenshot(path=str(SHOTS / f"fallback-{host}-{scheme}.png"))
    assert page.locator(".cp-fact").count() >= 7
    problems = low_contrast(page)
    assert not problems, problems
