#!/usr/bin/env python3
"""Carries TCP connections across network namespaces through a Unix socket (a file, which every
namespace sees), so that agents in their own namespaces reach a server listening on the runner's
loopback without any change to the runner's network.

  unix_bridge.py serve SOCKET HOST:PORT   # in the server's namespace: SOCKET -> HOST:PORT
  unix_bridge.py listen HOST:PORT SOCKET  # in an agent's namespace: HOST:PORT -> SOCKET
"""

import asyncio
import sys


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def host_port(s: str) -> tuple[str, int]:
    host, port = s.rsplit(":", 1)
    return host, int(port)


async def main() -> None:
    mode, src, dst = sys.argv[1:4]

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if mode == "serve":
            return await asyncio.open_connection(*host_port(dst))
        return await asyncio.open_unix_connection(dst)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await connect()
        except OSError:
            writer.close()
            return
        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    if mode == "serve":
        server = await asyncio.start_unix_server(handle, src)
    elif mode == "listen":
        server = await asyncio.start_server(handle, *host_port(src))
    else:
        sys.exit(__doc__)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
