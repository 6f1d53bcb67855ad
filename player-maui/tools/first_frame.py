#!/usr/bin/env python3
# Time from process start to the first frames.jsonl line, and RSS after 3 s, from a copy of data.template.
# Usage: python3 first_frame.py path/to/signage-player-headless
import os, subprocess, sys, time, shutil, signal
binary = sys.argv[1]
results = []
for run in range(5):
    shutil.rmtree("run", ignore_errors=True); shutil.copytree("data.template", "run")
    frames = "run/frames.jsonl"
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "--appliance", "http://127.0.0.1:9", "--data-dir", "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        if os.path.exists(frames) and os.path.getsize(frames) > 0: break
        time.sleep(0.0005)
    first = (time.monotonic() - t0) * 1000
    time.sleep(3)
    rss = [l for l in open(f"/proc/{p.pid}/status") if l.startswith("VmRSS")][0].split()[1]
    p.send_signal(signal.SIGTERM); rc = p.wait(10)
    line = open(frames).readline().strip()
    results.append((first, int(rss) / 1024, rc))
    print(f"run {run}: first frame {first:.0f} ms, RSS after 3 s {int(rss)/1024:.1f} MB, exit {rc}, {line}")
fs = sorted(r[0] for r in results)
print(f"median first frame {fs[len(fs)//2]:.0f} ms")
