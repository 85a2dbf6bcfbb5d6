"""Every colour the panel draws comes from js/theme.css (the host's --jp-*/--colab-* variables, with
fallbacks there only): no hex or rgb() colour in the views, the front-end sources or the SVGs the
panel shows. Exempt, on purpose: the QR code (scanners need dark on light) and the exported
chart file (a standalone page, not the panel)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
COLOUR = re.compile(r"(?<![\w&])#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b(?![\w-])|\brgba?\(")
SOURCES = [*sorted((ROOT / "colab_panel" / "views").glob("*.py")),
           *sorted(p for p in (ROOT / "js").glob("*.*") if p.name != "theme.css"),
           ROOT / "colab_panel" / "monitor" / "exit_chart.py",
           ROOT / "colab_panel" / "monitor" / "endpoint.py"]


def test_no_hard_coded_colour_outside_the_theme():
    found = []
    for path in SOURCES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//")[0] if path.suffix == ".js" else line
            for match in COLOUR.finditer(code):
                rest = code[match.end():]
                if rest.startswith(("0,0,0,0)", "${")):  # transparent; the theme colour converter
                    continue
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


def test_theme_takes_colab_then_jupyterlab_variables_with_a_dark_fallback():
    # Colab first: its widget manager defines JupyterLab's light --jp-* names in every output
    # frame, dark theme or not (tests/browser/colab/test_panel_theme_in_colab.py shows it)
    theme = (ROOT / "js" / "theme.css").read_text(encoding="utf-8")
    assert "var(--colab-primary-text-color, var(--jp-ui-font-color1," in theme
    assert "var(--colab-primary-surface-color, var(--jp-layout-color0," in theme
    assert "@media (prefers-color-scheme: dark)" in theme
