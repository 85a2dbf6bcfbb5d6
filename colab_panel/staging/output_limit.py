"""How much an archive may expand to: the default bound on every extraction's output.

Two caps, both on by default, both in the user's words when they trip:

- `max_bytes`: an absolute cap on the content written (None: no absolute cap; zip is always
  also held to the free disk space, up front).
- `max_ratio`: output may not exceed `max_ratio` times the compressed bytes it came from
  (the archive's size, or for a stream the bytes read so far), above a floor of
  `RATIO_FLOOR_BYTES` that any archive may expand to. 1,200 sits above deflate's ceiling
  (measured 1,029:1 on 200 MB of zeros at level 9), so no honest zip or .tar.gz is refused;
  bzip2, xz and zstd can go far higher on a run of zeros, which a dataset rarely is (and an
  overlap bomb reaches millions). Pass `max_ratio=None` to lift it.

A member that inflates past its own declared size is refused separately (zip_extract); this
bound also covers what a tar stream decompresses to between and after members (headers,
padding: a ".tar.gz" that is a few KB of tar and gigabytes of compressed zeros).
"""

from __future__ import annotations

from dataclasses import dataclass

from colab_panel.errors import UnsafeArchiveError
from colab_panel.units import human_bytes

DEFAULT_MAX_RATIO = 1200.0
RATIO_FLOOR_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class OutputLimit:
    max_bytes: int | None = None
    max_ratio: float | None = DEFAULT_MAX_RATIO

    def check(self, output_bytes: int, input_bytes: int, what: str) -> None:
        """Both caps: `output_bytes` of content from `input_bytes` of compressed data."""
        self.check_total(output_bytes, what)
        self.check_ratio(output_bytes, input_bytes, what)

    def check_total(self, output_bytes: int, what: str) -> None:
        if self.max_bytes is not None and output_bytes > self.max_bytes:
            raise UnsafeArchiveError(f"{what} expands past the limit of {human_bytes(self.max_bytes)} "
                                     f"({self.max_bytes} bytes); refusing to extract.")

    def check_ratio(self, output_bytes: int, input_bytes: int, what: str) -> None:
        if self.max_ratio is not None and output_bytes > RATIO_FLOOR_BYTES \
                and output_bytes > self.max_ratio * max(input_bytes, 1):
            raise UnsafeArchiveError(
                f"{what} expands to more than {self.max_ratio:g} times its compressed size "
                f"({human_bytes(output_bytes)} from {human_bytes(input_bytes)}): a decompression bomb? "
                "Refusing to extract; pass max_ratio=None if you trust it.")
