"""A QR code for a link, as inline SVG text (segno: pure Python, no image library needed)."""

from __future__ import annotations

__all__ = ["qr_svg"]


def qr_svg(text: str, *, scale: int = 4, dark: str = "#111827") -> str:
    """An ``<svg>`` element (no XML declaration) encoding `text`, ready to put in HTML."""
    import segno  # lazy: only the QR toggle needs it

    from colab_panel.errors import ShareError
    from colab_panel.inputs import shown, user_number, user_text

    text = user_text(text, "The text for a QR code", ShareError, max_length=4000)
    scale = user_number(scale, "The QR code's scale", ShareError, minimum=1, maximum=100, integer=True)
    if not isinstance(dark, str) or not dark.strip():
        raise ShareError(f"The QR code's colour must be a CSS colour such as '#111827', not {shown(dark)}.")
    try:
        code = segno.make(text, error="m", micro=False)
    except UnicodeError:
        raise ShareError(f"The text for a QR code {shown(text)} has characters that cannot be encoded "
                         "(a lone surrogate).") from None
    except segno.DataOverflowError:
        raise ShareError(f"The text for a QR code is too long ({len(text)} characters): a QR code holds "
                         "about 2,300 characters at this error correction.") from None
    try:
        return code.svg_inline(scale=scale, dark=dark, light="#ffffff", border=2)
    except ValueError:
        raise ShareError(f"The QR code's colour {shown(dark)} is not a CSS colour name or #hex value.") from None
