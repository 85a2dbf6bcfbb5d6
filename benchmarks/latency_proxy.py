"""A TCP proxy that delivers every chunk `delay_ms` after it arrived, each way: a loopback server with a WAN's round trip.

    python -m benchmarks.latency_proxy LISTEN_PORT TARGET_PORT DELAY_MS

Each request then costs one round trip of 2 x delay_ms, as it would to a store in another
region, so the benchmark measures what requests in flight buy rather than a server's CPU.
Chunks are delayed, not paced: a response that the server writes in three pieces arrives
`delay_ms` after the last one was sent, as over a real link, not three delays later.
"""

from __future__ import annotations

import asyncio
import sys
import time


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay_s: float) -> None:
    chunks: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

    async def deliver() -> None:
        while True:
            due, data = await chunks.get()
            if not data:
                return
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    delivering = asyncio.ensure_future(deliver())
    try:
        while data := await reader.read(65536):
            chunks.put_nowait((time.monotonic() + delay_s, data))
        chunks.put_nowait((time.monotonic() + delay_s, b""))  # the end, in order after the last chunk
        await delivering
    except (ConnectionError, asyncio.CancelledError):
        delivering.cancel()
    finally:
        writer.close()


async def main(listen: int, target: int, delay_ms: float) -> None:
    delay_s = delay_ms / 1000

    async def handle(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(_pipe(client_r, server_w, delay_s), _pipe(server_r, client_w, delay_s))

    server = await asyncio.start_server(handle, "127.0.0.1", listen)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])))
