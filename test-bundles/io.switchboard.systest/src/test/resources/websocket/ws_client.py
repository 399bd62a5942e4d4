"""A real WebSocket client (the websockets package) for the system tests. Each mode prints one
result line, "OK ..." or "FAIL ...", and exits 0 only on OK.

  echo URL                 text (non-ASCII too), binary, and a 4 MiB binary message, echoed byte-exact
  many URL N ROUNDS        N connections at once, ROUNDS messages each, every echo checked
  hold URL SECONDS [N]     N connections (1), each a message every 50 ms for SECONDS, every echo checked
  wait-close URL SECONDS   one echo, prints READY, then waits up to SECONDS for the connection to close
"""
import asyncio
import os
import sys
import time

import websockets


def connect(url):
    return websockets.connect(url, max_size=None, ping_interval=None, open_timeout=10, close_timeout=5)


async def round_trip(ws, message):
    await ws.send(message)
    got = await asyncio.wait_for(ws.recv(), 10)
    if type(got) is not type(message) or got != message:
        raise AssertionError("echo differs: sent %d %s, got %d %s"
                             % (len(message), type(message).__name__, len(got), type(got).__name__))


async def echo(url):
    async with connect(url) as ws:
        await round_trip(ws, "hello, Grüße, 你好")
        await round_trip(ws, os.urandom(1024))
        await round_trip(ws, bytes(range(256)) * 16)
        big = os.urandom(4 << 20)
        await round_trip(ws, big)
        await round_trip(ws, "x" * 100000)
    return "OK echo: text, binary and 4 MiB echoed byte-exact"


async def one(url, rounds, index):
    async with connect(url) as ws:
        for r in range(rounds):
            if r % 2:
                await round_trip(ws, ("conn %d round %d " % (index, r)) * 10)
            else:
                await round_trip(ws, os.urandom(100 + r))


async def many(url, n, rounds):
    results = await asyncio.gather(*(one(url, rounds, i) for i in range(n)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        return "FAIL many: %d of %d connections failed, first: %r" % (len(failed), n, failed[0])
    return "OK many: %d connections x %d messages" % (n, rounds)


async def hold_one(url, seconds):
    count = 0
    async with connect(url) as ws:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            await round_trip(ws, "message %d" % count)
            count += 1
            await asyncio.sleep(0.05)
    return count


async def hold(url, seconds, n):
    results = await asyncio.gather(*(hold_one(url, seconds) for _ in range(n)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    if failed:
        return "FAIL hold: %d of %d connections failed, first: %r" % (len(failed), n, failed[0])
    return "OK hold: %d connections, %d messages over %s s" % (n, sum(results), seconds)


async def wait_close(url, seconds):
    async with connect(url) as ws:
        await round_trip(ws, "before")
        print("READY", flush=True)
        start = time.monotonic()
        try:
            got = await asyncio.wait_for(ws.recv(), seconds)
            return "FAIL wait-close: got a message %r" % (got,)
        except websockets.exceptions.ConnectionClosed as e:
            return "OK closed after %.1f s (%s)" % (time.monotonic() - start, type(e).__name__)
        except asyncio.TimeoutError:
            return "FAIL wait-close: still open after %s s" % seconds


def main():
    mode, url = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    try:
        if mode == "echo":
            line = asyncio.run(echo(url))
        elif mode == "many":
            line = asyncio.run(many(url, int(args[0]), int(args[1])))
        elif mode == "hold":
            line = asyncio.run(hold(url, float(args[0]), int(args[1]) if len(args) > 1 else 1))
        elif mode == "wait-close":
            line = asyncio.run(wait_close(url, float(args[0])))
        else:
            line = "FAIL unknown mode " + mode
    except Exception as e:  # the test prints the line: what went wrong must be in it
        line = "FAIL %s: %r" % (mode, e)
    print(line, flush=True)
    sys.exit(0 if line.startswith("OK") else 1)


main()
