"""The Colab stand-in's server: a notebook page, output frames and a port proxy, each on its own
loopback origin, in front of one kernel started with jupyter_client.

    python -m colab_standin.server --info info.json [--kernel-python PY] [--cwd DIR]

writes ``{"page": URL, "frame": URL, ...}`` to info.json once it listens, and runs until killed.

Origins (all http://127.0.0.1, one port each):
- page:  the notebook (``/``), its script, and ``/api/kernel`` (a websocket relaying the kernel's
         iopub and shell messages as JSON); ``/api/proxy_port`` and ``/api/proxy_log`` serve the
         port proxy's bookkeeping.
- frame: ``/outputframe.html`` (each cell's outputs render in one iframe on this origin), the
         widget manager bundles under ``/build/``, and ``/cdn/npm/<pkg>@<range>/<file>``, a
         stand-in for cdn.jsdelivr.net backed by the npm packages in frontend/node_modules.
- proxy: one listener per kernel port asked for through ``google.colab.kernel.proxyPort``, so
         each proxied port is an origin of its own, as in Colab. It forwards a request to
         127.0.0.1:<port> only when the browser says it is a navigation or comes from the proxied
         document's own origin (Sec-Fetch-Mode / Sec-Fetch-Site): an iframe gets through, the
         way Colab's authenticating proxy lets its handshaken frame through, and a credential-less
         cross-origin fetch from an output frame is refused with no CORS headers.

Only tornado and jupyter_client are used (no jupyter_server), so the server runs under Colab's
pinned stack (jupyter_client 7.4.9) as well as the latest one.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import json
import mimetypes
import os
import re
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.web
import tornado.websocket

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
BUILD = HERE / "build"
NODE_MODULES = HERE / "frontend" / "node_modules"
TESTS = HERE.parent
COLAB_STUB = TESTS / "colab_stub"
HOST = "127.0.0.1"
KERNEL_NAME = "colab-standin"
# Headers a proxy must not forward (RFC 9110 hop-by-hop, plus those tornado sets itself).
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "content-length", "content-encoding"}


def _listen(app: tornado.web.Application) -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    sock.listen(128)
    sock.setblocking(False)
    server = tornado.httpserver.HTTPServer(app, max_body_size=64 << 20)
    server.add_sockets([sock])
    return sock.getsockname()[1]


# ---- kernel ------------------------------------------------------------------------------------

def _kernel_spec_dir(python: str) -> Path:
    """A kernelspec whose argv starts the stand-in's kernel (a kernel_cmd would do, but
    jupyter_client 8 dropped it; a kernelspec works in 7 and 8 alike)."""
    root = Path(tempfile.mkdtemp(prefix="colab-standin-kernels-"))
    spec = root / KERNEL_NAME
    spec.mkdir()
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [python, "-m", "colab_standin.kernel", "-f", "{connection_file}"],
        "display_name": "Colab stand-in", "language": "python"}))
    return root


def kernel_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The kernel believes it runs in Colab: tests/colab_stub (google.colab) and tests/ (this
    package, for the kernel's startup hook) come first on its PYTHONPATH, then this checkout, so
    the kernel imports the colab_panel under test, not whichever one the venv was installed from."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COLAB_STUB), str(TESTS), str(TESTS.parent),
                                                      env.get("PYTHONPATH")]))
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.update(extra or {})
    return env


class Kernel:
    """One kernel and one client; every message it sends goes to each connected page."""

    def __init__(self, python: str, cwd: str, env: dict[str, str]):
        self.python, self.cwd, self.env = python, cwd, env
        self.pages: set[KernelSocket] = set()
        self.km = None
        self.client = None
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager

        ksm = KernelSpecManager(kernel_dirs=[str(_kernel_spec_dir(self.python))])
        self.km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=ksm)
        await self.km.start_kernel(env=self.env, cwd=self.cwd)
        self.client = self.km.client()
        self.client.start_channels()
        await self.client.wait_for_ready(timeout=120)
        self._tasks = [asyncio.ensure_future(self._pump("iopub", self.client.get_iopub_msg)),
                       asyncio.ensure_future(self._pump("shell", self.client.get_shell_msg))]

    async def restart(self) -> None:
        for task in self._tasks:
            task.cancel()
        self.client.stop_channels()
        await self.km.shutdown_kernel(now=True)
        await self.start()

    async def _pump(self, channel: str, get) -> None:
        while True:
            try:
                msg = await get(timeout=3600)
            except asyncio.CancelledError:
                raise
            except Exception:  # queue.Empty after an idle hour, or a closing socket
                await asyncio.sleep(0.05)
                continue
            text = json.dumps(_to_json(channel, msg), default=str)
            for page in list(self.pages):
                try:
                    page.write_message(text)
                except tornado.websocket.WebSocketClosedError:  # a page closed before on_close
                    self.pages.discard(page)

    def send(self, frame: dict[str, Any]) -> None:
        session = self.client.session
        msg = session.msg(frame["msg_type"], frame.get("content", {}),
                          metadata=frame.get("metadata") or {})
        if frame.get("msg_id"):
            msg["header"]["msg_id"] = msg["msg_id"] = frame["msg_id"]
        buffers = [base64.b64decode(b) for b in frame.get("buffers") or []]
        session.send(self.client.shell_channel.socket, msg, buffers=buffers or None)

    async def interrupt(self) -> None:
        await self.km.interrupt_kernel()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.client is not None:
            self.client.stop_channels()
        if self.km is not None:
            await self.km.shutdown_kernel(now=True)


def _to_json(channel: str, msg: dict[str, Any]) -> dict[str, Any]:
    return {"channel": channel, "header": msg["header"], "parent_header": msg["parent_header"],
            "metadata": msg.get("metadata", {}), "content": msg["content"],
            "buffers": [base64.b64encode(bytes(b)).decode() for b in msg.get("buffers") or []]}


# ---- page origin -------------------------------------------------------------------------------

class KernelSocket(tornado.websocket.WebSocketHandler):
    def initialize(self, standin: "Standin"):
        self.standin = standin

    def check_origin(self, origin: str) -> bool:
        return origin == self.standin.urls["page"].rstrip("/")

    def open(self):
        self.standin.kernel.pages.add(self)

    async def on_message(self, message):
        frame = json.loads(message)
        if frame.get("control") == "interrupt":
            await self.standin.kernel.interrupt()
        elif frame.get("control") == "restart":
            await self.standin.kernel.restart()
            self.write_message(json.dumps({"channel": "control", "restarted": True}))
        else:
            self.standin.kernel.send(frame)

    def on_close(self):
        self.standin.kernel.pages.discard(self)


class PageHandler(tornado.web.RequestHandler):
    def initialize(self, standin: "Standin"):
        self.standin = standin

    def get(self):
        html = (STATIC / "notebook.html").read_text()
        config = {"frameOrigin": self.standin.urls["frame"].rstrip("/")}
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.write(html.replace("__STANDIN_CONFIG__", json.dumps(config)))


class ProxyPortHandler(tornado.web.RequestHandler):
    """The page asks for a kernel port's proxied origin (what Colab's proxyPort resolves to)."""

    def initialize(self, standin: "Standin"):
        self.standin = standin

    def get(self):
        port = int(self.get_query_argument("port"))
        self.write({"url": self.standin.proxy_url(port)})


class ProxyLogHandler(tornado.web.RequestHandler):
    def initialize(self, standin: "Standin"):
        self.standin = standin

    def get(self):
        self.write({"requests": self.standin.proxy_log})


class StaticHandler(tornado.web.StaticFileHandler):
    def set_extra_headers(self, path):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Access-Control-Allow-Origin", "*")


# ---- frame origin ------------------------------------------------------------------------------

class NoFavicon(tornado.web.RequestHandler):
    """204 instead of a 404 that would show as a console error in every test's log."""

    def get(self):
        self.set_status(204)


class OutputFrameHandler(tornado.web.RequestHandler):
    def get(self):
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.write((STATIC / "outputframe.html").read_bytes())


class CdnHandler(tornado.web.RequestHandler):
    """`/cdn/npm/<pkg>@<range>/<file>`: like cdn.jsdelivr.net/npm, from frontend/node_modules.

    jsdelivr resolves a semver range to the newest matching release; here the candidates are the
    installed copies of <pkg> (frontend/package.json installs some under aliases, e.g.
    anywidget-0.11), and `~X.Y.*`, `^X.Y.Z`, `X.Y.Z` and `*` are understood."""

    def get(self, spec: str, file: str):
        name, _, wanted = spec.rpartition("@") if spec.rfind("@") > 0 else (spec, "", "*")
        package = _installed_package(name, wanted or "*")
        if package is None:
            raise tornado.web.HTTPError(404, f"no installed npm package {name}@{wanted}")
        path = (package / file).resolve()
        if package.resolve() not in path.parents or not path.is_file():
            raise tornado.web.HTTPError(404)
        self.set_header("Access-Control-Allow-Origin", "*")
        self.set_header("Content-Type", mimetypes.guess_type(path.name)[0] or "text/plain")
        self.write(path.read_bytes())


@functools.lru_cache(maxsize=None)
def _installed_package(name: str, wanted: str) -> Path | None:
    """The newest installed copy of npm package `name` matching `wanted` (node_modules does not
    change while the server runs)."""
    best = None
    for package_json in NODE_MODULES.glob("**/package.json"):
        if "node_modules" in package_json.parent.relative_to(NODE_MODULES).parts:
            continue  # nested dependencies are not what a CDN serves first
        try:
            meta = json.loads(package_json.read_text())
        except (OSError, ValueError):
            continue
        version = meta.get("version", "")
        if meta.get("name") == name and _matches(version, wanted):
            key = tuple(int(p) for p in re.findall(r"\d+", version)[:3])
            if best is None or key > best[0]:
                best = (key, package_json.parent)
    return best[1] if best else None


def _matches(version: str, wanted: str) -> bool:
    wanted = wanted.strip()
    if wanted in ("", "*", "latest"):
        return True
    parts = version.split("-")[0].split(".")
    if wanted.startswith("~"):
        want = [p for p in wanted[1:].split(".") if p not in ("*", "x")]
        return parts[: len(want)] == want[:2] if len(want) >= 2 else parts[:1] == want
    if wanted.startswith("^"):
        want = wanted[1:].split(".")
        if want[0] != "0":
            return parts[0] == want[0]
        return parts[:2] == want[:2]
    return version == wanted


# ---- proxy origins -----------------------------------------------------------------------------

class ProxyHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, standin: "Standin", target_port: int):
        self.standin, self.target_port = standin, target_port

    def _allowed(self) -> bool:
        mode = self.request.headers.get("Sec-Fetch-Mode", "")
        site = self.request.headers.get("Sec-Fetch-Site", "")
        return mode == "navigate" or site == "same-origin"

    async def _handle(self):
        allowed = self._allowed()
        self.standin.proxy_log.append({
            "port": self.target_port, "method": self.request.method, "path": self.request.uri,
            "mode": self.request.headers.get("Sec-Fetch-Mode"),
            "site": self.request.headers.get("Sec-Fetch-Site"),
            "origin": self.request.headers.get("Origin"), "allowed": allowed, "t": time.time()})
        if not allowed:
            # Like an authenticating proxy that sees no session: no CORS headers, so the
            # browser does not even hand the response to the caller.
            self.set_status(401)
            self.set_header("Content-Type", "text/plain")
            self.finish("The stand-in's port proxy needs the user's session (navigate to it).")
            return
        client = tornado.httpclient.AsyncHTTPClient()
        headers = {k: v for k, v in self.request.headers.get_all()
                   if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        body = self.request.body if self.request.method in ("POST", "PUT", "PATCH") else None
        try:
            response = await client.fetch(
                f"http://{HOST}:{self.target_port}{self.request.uri}", method=self.request.method,
                headers=headers, body=body, raise_error=False, follow_redirects=False,
                allow_nonstandard_methods=True, request_timeout=60, decompress_response=True)
        except OSError as error:
            self.set_status(502)
            self.finish(f"The kernel's port {self.target_port} does not answer: {error}")
            return
        self.set_status(response.code, response.reason)
        for key, value in response.headers.get_all():
            if key.lower() in HOP_BY_HOP:
                continue
            if key.lower() == "set-cookie":
                self.add_header(key, value)
            else:
                self.set_header(key, value)
        self.finish(response.body or b"")

    def compute_etag(self):
        return None  # a proxy passes the upstream's validators; it makes up none of its own

    get = head = post = put = delete = patch = options = _handle


# ---- the whole stand-in ------------------------------------------------------------------------

class Standin:
    def __init__(self, kernel: Kernel):
        self.kernel = kernel
        self.urls: dict[str, str] = {}
        self.proxies: dict[int, str] = {}
        self.proxy_log: list[dict[str, Any]] = []

    def start(self) -> None:
        args = {"standin": self}
        page = tornado.web.Application([
            (r"/", PageHandler, args),
            (r"/favicon.ico", NoFavicon),
            (r"/api/kernel", KernelSocket, args),
            (r"/api/proxy_port", ProxyPortHandler, args),
            (r"/api/proxy_log", ProxyLogHandler, args),
            (r"/static/(.*)", StaticHandler, {"path": str(STATIC)}),
        ], websocket_max_message_size=64 << 20)
        frame = tornado.web.Application([
            (r"/outputframe.html", OutputFrameHandler),
            (r"/favicon.ico", NoFavicon),
            (r"/static/(.*)", StaticHandler, {"path": str(STATIC)}),
            (r"/build/(.*)", StaticHandler, {"path": str(BUILD)}),
            (r"/cdn/npm/((?:@[^/]+/)?[^/]+)/(.*)", CdnHandler),
        ])
        self.urls["page"] = f"http://{HOST}:{_listen(page)}/"
        self.urls["frame"] = f"http://{HOST}:{_listen(frame)}/"

    def proxy_url(self, port: int) -> str:
        if port not in self.proxies:
            app = tornado.web.Application([(r".*", ProxyHandler,
                                            {"standin": self, "target_port": port})])
            self.proxies[port] = f"http://{HOST}:{_listen(app)}/"
        return self.proxies[port]


async def serve(info: Path, python: str, cwd: str) -> None:
    kernel = Kernel(python, cwd, {})
    standin = Standin(kernel)
    standin.start()
    kernel.env = kernel_env({"COLAB_STANDIN_MANAGER_URL": f"{standin.urls['frame']}build/custom.js"})
    await kernel.start()
    tmp = info.with_suffix(".tmp")
    tmp.write_text(json.dumps({**standin.urls, "pid": os.getpid(), "python": python}))
    tmp.replace(info)  # the reader never sees half a file
    try:
        await asyncio.Event().wait()
    finally:
        await kernel.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", type=Path, required=True)
    parser.add_argument("--kernel-python", default=sys.executable)
    parser.add_argument("--cwd", default=os.getcwd())
    args = parser.parse_args(argv)
    import signal

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    task = loop.create_task(serve(args.info, args.kernel_python, args.cwd))
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass


if __name__ == "__main__":
    main()
