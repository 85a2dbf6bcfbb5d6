"""A pytest plugin that points PyDrive2's own test suite, unmodified, at the Drive emulator.

tools/pydrive2_suite.py runs it: ``pytest -p support.pydrive2_upstream --pydrive2-tests DIR``,
where DIR holds `pydrive2/test/` from the PyDrive2 sdist of the installed version (the wheel
lacks its settings files). The upstream tests sign in as PyDrive2's CI does: a service-account
key in the `GDRIVE_USER_CREDENTIALS_DATA` environment variable, written to the path their
`settings/*.yaml` name, then `GoogleAuth(...).ServiceAuth()`. Here that key is one the emulator
issued, so its `token_uri` is the emulator's token endpoint and oauth2client fetches real
(emulated) tokens with a signed JWT. Two things a Google endpoint gets for free are supplied by
wrapping `GoogleAuth`'s own seams, as `colab_panel.drive.emulator.client.EmulatorAuth` does:

- trust: every `httplib2.Http` PyDrive2 builds (`GoogleAuth._build_http`) also trusts the
  emulator's self-signed certificate;
- endpoint: the Drive v2 service PyDrive2 builds (`pydrive2.auth.build`) gets
  `client_options={"api_endpoint": emu.api_endpoint}`, the documented way to aim
  googleapiclient elsewhere.

Nothing in the upstream files is edited; their `pydrive2.test` package is loaded from DIR
while the rest of `pydrive2` is the installed library under test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ENV_CREDENTIALS = "GDRIVE_USER_CREDENTIALS_DATA"  # the variable upstream's CI fills with a key
SERVICE_ACCOUNT = "pydrive2-suite@colab-panel-emulator.iam.gserviceaccount.com"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--pydrive2-tests", metavar="DIR",
                     help="folder holding pydrive2/test/ from the PyDrive2 sdist (tools/pydrive2_suite.py fills it)")


def pytest_configure(config: pytest.Config) -> None:
    tests_root = config.getoption("--pydrive2-tests")
    if not tests_root:
        raise pytest.UsageError("support.pydrive2_upstream needs --pydrive2-tests DIR")
    config.addinivalue_line("markers", "manual: upstream's mark for tests needing a person (deselected)")
    _load_upstream_test_package(Path(tests_root) / "pydrive2" / "test")

    from colab_panel.drive.emulator import DriveEmulator

    emulator = DriveEmulator().start()
    key = emulator.add_service_account(SERVICE_ACCOUNT, name="PyDrive2 suite")
    saved_env = os.environ.get(ENV_CREDENTIALS)
    os.environ[ENV_CREDENTIALS] = json.dumps(key)
    undo = _aim_pydrive2_at(emulator)

    # Upstream's test_util writes the key to a fixed path; leave nothing of ours behind there.
    from pydrive2.test import test_util

    key_file = Path(test_util.DEFAULT_USER_CREDENTIALS_FILE)
    key_file_existed = key_file.exists()

    def restore() -> None:
        undo()
        if not key_file_existed:
            key_file.unlink(missing_ok=True)
        if saved_env is None:
            os.environ.pop(ENV_CREDENTIALS, None)
        else:
            os.environ[ENV_CREDENTIALS] = saved_env
        emulator.close()

    config.add_cleanup(restore)


def _load_upstream_test_package(package_dir: Path) -> None:
    """Make `pydrive2.test` the sdist's copy, leaving every other `pydrive2` module the installed one.

    The wheel ships a `pydrive2/test` without its settings/ folder; the tests find their
    settings next to `test_util.__file__`, so the package must come from the sdist's folder.
    """
    import pydrive2

    init = package_dir / "__init__.py"
    if not init.is_file():
        raise pytest.UsageError(f"{package_dir} is not PyDrive2's test package (no __init__.py)")
    if Path(pydrive2.__file__).resolve().is_relative_to(package_dir.parent.resolve()):
        raise pytest.UsageError("the PyDrive2 under test must be the installed one, not the sdist's copy")
    for name in [n for n in sys.modules if n == "pydrive2.test" or n.startswith("pydrive2.test.")]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location("pydrive2.test", init, submodule_search_locations=[str(package_dir)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pydrive2.test"] = module
    spec.loader.exec_module(module)
    pydrive2.test = module  # type: ignore[attr-defined]


def _aim_pydrive2_at(emulator: Any) -> Any:
    """Wrap GoogleAuth's Http factory and pydrive2.auth's `build`; return a function undoing both."""
    import pydrive2.auth

    original_build_http = pydrive2.auth.GoogleAuth._build_http
    original_build = pydrive2.auth.build
    ca_certs = str(emulator.ca_cert_path)

    def _build_http(self: Any) -> Any:
        http = original_build_http(self)
        http.ca_certs = ca_certs  # httplib2 reads it when it opens each HTTPS connection
        return http

    def build(service_name: str, version: str, *args: Any, **kwargs: Any) -> Any:
        if (service_name, version) == ("drive", "v2") and not kwargs.get("client_options"):
            kwargs["client_options"] = {"api_endpoint": emulator.api_endpoint}
        return original_build(service_name, version, *args, **kwargs)

    pydrive2.auth.GoogleAuth._build_http = _build_http
    pydrive2.auth.build = build

    def undo() -> None:
        pydrive2.auth.GoogleAuth._build_http = original_build_http
        pydrive2.auth.build = original_build

    return undo
