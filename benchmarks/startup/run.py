#!/usr/bin/env python3
"""Start-up numbers of the native binaries (docs/PERFORMANCE.md, "Binaries, start-up and idle memory").

  python3 benchmarks/startup/run.py [--appliance PATH] [--cli PATH] [--runs 30]

Reports: binary sizes; the appliance's time from exec to the first 200 from GET /healthz, median
and p90 over --runs starts, both on a fresh data directory (first run: creates the database,
migrates, makes keys) and on an existing one (an ordinary restart); its RSS after start-up and
one request, idle for 5 s; and `signage --help` wall time (median over --runs).
"""
import argparse, http.client, os, shutil, socket, statistics, subprocess, tempfile, time

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def healthz(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        c.request("GET", "/healthz")
        ok = c.getresponse().status == 200
        c.close()
        return ok
    except OSError:
        return False

def start(binary, data_dir):
    port = free_port()
    begin = time.perf_counter()
    p = subprocess.Popen([binary, "--urls", f"http://127.0.0.1:{port}", "--data-dir", data_dir],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not healthz(port):
        if p.poll() is not None:
            raise SystemExit(f"appliance exited with {p.returncode}")
        if time.perf_counter() - begin > 30:
            raise SystemExit("no /healthz answer within 30 s")
        time.sleep(0.002)  # do not spin: on 2 cores a busy poller steals the CPU it is timing
    return p, (time.perf_counter() - begin) * 1000

def stop(p):
    p.terminate()
    p.wait(20)

def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

def summary(values):
    values = sorted(values)
    return f"median {statistics.median(values):.1f} ms, p90 {values[int(len(values) * 0.9) - 1]:.1f} ms, min {values[0]:.1f} ms (n={len(values)})"

def main():
    a = argparse.ArgumentParser()
    a.add_argument("--appliance", default="artifacts/publish/appliance-linux-x64/signage-appliance")
    a.add_argument("--cli", default="artifacts/publish/cli-linux-x64/signage")
    a.add_argument("--runs", type=int, default=30)
    a.add_argument("--scratch", default=None, help="where the data directories go (e.g. /dev/shm to leave out disk sync latency)")
    args = a.parse_args()
    print(f"data directories under: {args.scratch or tempfile.gettempdir()}")
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    for b in (args.appliance, args.cli):
        print(f"size {os.path.basename(b)}: {os.path.getsize(b) / 1e6:.1f} MB ({os.path.getsize(b)} bytes)")

    scratch = tempfile.mkdtemp(prefix="signage-startup-", dir=args.scratch)
    try:
        fresh = []
        for i in range(args.runs):
            p, ms = start(args.appliance, os.path.join(scratch, f"fresh-{i}"))
            fresh.append(ms)
            stop(p)
        print(f"appliance cold start to first /healthz 200, fresh data directory: {summary(fresh)}")

        existing = os.path.join(scratch, "existing")
        p, _ = start(args.appliance, existing)
        stop(p)
        restart = []
        for _ in range(args.runs):
            p, ms = start(args.appliance, existing)
            restart.append(ms)
            stop(p)
        print(f"appliance cold start to first /healthz 200, existing data directory: {summary(restart)}")

        p, _ = start(args.appliance, existing)
        time.sleep(5)
        print(f"appliance idle RSS (started, one /healthz, 5 s idle): {rss_mb(p.pid):.1f} MB")
        stop(p)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    cli = []
    for _ in range(args.runs):
        begin = time.perf_counter()
        subprocess.run([args.cli, "--help"], stdout=subprocess.DEVNULL, check=True)
        cli.append((time.perf_counter() - begin) * 1000)
    print(f"signage --help: {summary(cli)}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
