"""A real WebSocket back-end for the system tests: echoes every message as it came (text as text,
binary as binary). Prints READY once listening. Usage: ws_echo.py PORT"""
import asyncio
import sys

import websockets


async def echo(ws, *_):
    async for message in ws:
        await ws.send(message)


async def main(port):
    async with websockets.serve(echo, "127.0.0.1", port, max_size=None, ping_interval=None):
        print("READY", flush=True)
        await asyncio.Future()


asyncio.run(main(int(sys.argv[1])))
