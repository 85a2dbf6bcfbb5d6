"""`download_to_browser(path)`: a runtime file, or a folder as one zip, into this browser's downloads."""

from __future__ import annotations

import json
import os
from pathlib import Path

from colab_panel.transfers.routes import TransferService, download_target

__all__ = ["download_script", "download_to_browser"]


def download_to_browser(path: str | os.PathLike[str], *, service: TransferService | None = None) -> str:
    """Start a download of `path` in the browser showing this cell; returns the single-use URL
    (relative to the kernel's endpoint). A folder arrives as ``<name>.zip``, made as it is sent.

    The bytes come over HTTP from the kernel's endpoint (through Colab's port proxy there), served
    by a thread, so a cell that runs next does not hold them up. Raises `TransferError` for a path
    that is not there or cannot be read."""
    from IPython.display import (  # lazy: only a cell that downloads needs it
        Javascript,
        display,
    )

    from colab_panel.transfers.download import shared_service

    target = download_target(path)
    service = service or shared_service()
    url = service.download_url(target)
    name = f"{target.name}.zip" if target.is_dir() else target.name
    display(Javascript(download_script(service.port, url, name)))
    return url


def download_script(port: int, url: str, name: str) -> str:
    """Browser code that resolves the endpoint (Colab's proxy, else loopback) and opens `url` as a download."""
    return f"""(async () => {{
  const port = {int(port)}, rel = {json.dumps(url)}, name = {json.dumps(Path(name).name)};
  const kernel = window.google && window.google.colab && window.google.colab.kernel;
  let base = `http://127.0.0.1:${{port}}/`;
  if (kernel && kernel.proxyPort) base = String(await kernel.proxyPort(port, {{cache: false}}));
  if (!base.endsWith("/")) base += "/";
  const link = document.createElement("a");
  link.href = new URL(rel, base).href;
  link.download = name;
  link.textContent = `Downloading ${{name}}`;
  document.body.appendChild(link);
  link.click();
}})();"""
