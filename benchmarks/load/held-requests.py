#!/usr/bin/env python3
"""Opens COUNT held manifest requests (If-None-Match + Prefer: wait=60) on loopback and parks them;
touches READY_FILE when they are all sent. The caller then publishes a change and writes the
publish time (epoch seconds) into READY_FILE.published; this prints how long after it the first
and the last held request were answered. Standard library only.

usage: held-requests.py PORT TOKEN ETAG COUNT READY_FILE"""
import asyncio, os, sys, time

async def one(port, token, etag, results):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write((f"GET /v1/player/manifest HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                  f"Authorization: Bearer {token}\r\nIf-None-Match: {etag}\r\nPrefer: wait=60\r\n"
                  "Connection: close\r\n\r\n").encode())
    await writer.drain()
    status = (await reader.readline()).decode().split(" ")[1]
    results.append((time.time(), status))
    await reader.read()
    writer.close()

async def main():
    port, token, etag, count, ready = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    results = []
    tasks = [asyncio.create_task(one(port, token, etag, results)) for _ in range(count)]
    await asyncio.sleep(2)  # let every request reach the appliance and park
    open(ready, "w").close()
    await asyncio.gather(*tasks)
    published = float(open(ready + ".published").read())
    times = sorted(t for t, _ in results)
    statuses = {s for _, s in results}
    print(f"answered {len(results)} held requests with {sorted(statuses)}: first {times[0]-published:.3f} s, "
          f"last {times[-1]-published:.3f} s after the publish")

asyncio.run(main())
