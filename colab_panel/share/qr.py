"""A QR code for a link, as inline SVG text (segno: pure Python, no image library needed)."""

from __future__ import annotations

__all__ = ["qr_svg"]


def qr_svg(text: str, *, scale: int = 4, dark: str = "#111827") -> str:
    """An ``<svg>`` element (no XML declaration) encoding `text`, ready to put in HTML."""
    import segno  # lazy: only the QR toggle needs it

    if not text:
        raise ValueError("nothing to encode: the link is empty")
    code = segno.make(text, error="m", micro=False)
    return code.svg_inline(scale=scale, dark=dark, light="#ffffff", border=2)
