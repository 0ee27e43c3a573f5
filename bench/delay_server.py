#!/usr/bin/env python3
"""A tiny HTTP server that answers every request with 204 after a fixed delay.

The benchmark's nginx asks it first (`auth_request`) before serving a fixture on its
"slow" port, so each upstream answer takes DELAY_MS, as a real Thruk takes a while to
query its core. Identical calls of a burst then overlap in flight, which is what lookout's
coalescing merges. Loopback only; Python standard library only.

Usage: delay_server.py PORT DELAY_MS
"""

import asyncio
import sys


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay)
            lower = head.lower()
            http10 = b"http/1.0" in lower.split(b"\r\n", 1)[0]
            close = b"connection: close" in lower or (http10 and b"connection: keep-alive" not in lower)
            writer.write(
                b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n"
                + (b"Connection: close\r\n" if close else b"")
                + b"\r\n"
            )
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int, delay_ms: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: handle(r, w, delay_ms / 1000.0), "127.0.0.1", port, backlog=512
    )
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    try:
        asyncio.run(main(int(sys.argv[1]), float(sys.argv[2])))
    except KeyboardInterrupt:
        pass
