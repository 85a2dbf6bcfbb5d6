"""moto's S3 behind a WSGI server that keeps connections alive, as real S3 does.

    python -m benchmarks.s3_keepalive_server PORT     # prints "ready" once it listens

`python -m moto.server` runs Werkzeug's development server, which closes the connection after
every response: each GET then pays a TCP connect (one more round trip through `latency_proxy`,
and connect CPU on both sides), which no client of real S3 pays. waitress speaks HTTP/1.1 with
keep-alive and answers from a pool of threads; moto's app is the same one `moto.server` serves.
"""

from __future__ import annotations

import sys

SERVER_THREADS = 16  # moto holds the GIL while it answers: more threads only queue; enough to not block on I/O


def main(port: int) -> None:
    import logging

    import waitress

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N": moto is the bottleneck
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=SERVER_THREADS,
                                    connection_limit=1000, channel_timeout=120)
    print("ready", flush=True)
    server.run()


if __name__ == "__main__":
    main(int(sys.argv[1]))
