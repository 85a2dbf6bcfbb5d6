"""A real S3-compatible server on loopback (moto's, in server mode) and an s3fs client for it.

    with s3_server() as s3:            # s3.endpoint, s3.client (boto3), s3.options (for stage())
        s3.client.create_bucket(Bucket="data")
    with s3_server(wrap=Middleware) as s3:   # moto's WSGI app inside a middleware of the test's

Credentials reach s3fs the way they reach it anywhere: from the environment (botocore's own
discovery); only the endpoint is passed as a storage option.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1", "AWS_SESSION_TOKEN": "testing"}


@dataclass
class S3Server:
    endpoint: str
    client: Any

    @property
    def options(self) -> dict[str, Any]:
        return {"endpoint_url": self.endpoint}


@contextlib.contextmanager
def s3_server(wrap: Callable[[Any], Any] | None = None) -> Iterator[S3Server]:
    import boto3
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    saved = {k: os.environ.get(k) for k in FAKE_CREDENTIALS}
    os.environ.update(FAKE_CREDENTIALS)
    app = DomainDispatcherApplication(create_backend_app)  # what moto's ThreadedMotoServer serves
    server = make_server("127.0.0.1", 0, wrap(app) if wrap else app, threaded=True)  # a thread per request
    thread = threading.Thread(target=server.serve_forever, name="moto-s3", daemon=True)
    thread.start()
    try:
        endpoint = f"http://127.0.0.1:{server.server_port}"
        yield S3Server(endpoint, boto3.client("s3", endpoint_url=endpoint))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
