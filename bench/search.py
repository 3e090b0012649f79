#!/usr/bin/env python3
"""The repository search benchmark (see bench/README.md).

Loads N synthetic documents (`cpmg demo-data`) into SQLite and, when POSTGRES_TEST_URL is set,
PostgreSQL; serves each with the release build; measures the search page for a fixed mix of
queries (sequential latency percentiles, then requests per second under concurrent load with
wrk), the time from a 50-page PDF upload to being found, the weight of a list page, and what
the bounded ranking costs in result quality (top-20 overlap with an unbounded run). Beside it,
nginx serves a static copy of a search page of the same size: the baseline ratio.

Only loopback addresses are used; every loop is bounded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Browser"))
from pdfgen import make_pdf  # noqa: E402

ADMIN = ("bench-admin@example.org", "benchmark password 2026")

# The fixed mix. "rare" appears in about 0.04% of the demo documents, "common" in nearly all,
# the phrase joins the two most frequent words of the generator's two vocabularies.
MIX = [
    ("rare word", "/documents?q=kalinago"),
    ("common word", "/documents?q=migration"),
    ("phrase of two common words", "/documents?q=%22the+migration%22"),
    ("filters only", "/documents?country=jm&type=report"),
    ("query + three filters", "/documents?q=border&country=jm&theme=border-management&lang=en"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Server:
    def __init__(self, binary: Path, env: dict, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port),
                    "CPMG_PUBLIC_URL": self.base, "LOG_LEVEL": "warning"}
        self.log = open(log, "ab")
        self.process = subprocess.Popen([str(binary), "serve"], env=self.env, stdout=self.log, stderr=self.log, cwd=ROOT)
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"server did not start; see {log}")

    def stop(self):
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def timed_requests(base: str, path: str, count: int) -> list[float]:
    """Sequential requests on one keep-alive connection; milliseconds each."""
    host = urllib.parse.urlparse(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    times = []
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            raise SystemExit(f"{path} answered {response.status}")
    connection.close()
    return times


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", "Accept-Encoding: gzip"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {}
    for label in ("50%", "90%", "99%"):
        m = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output)
        if m:
            value, unit = float(m.group(1)), m.group(2)
            latency[label] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {"rps": rps, "latency": latency, "errors": int(non2xx.group(1)) if non2xx else 0}


def mix_script(directory: Path) -> Path:
    script = directory / "mix.lua"
    paths = ", ".join(json.dumps(path) for _, path in MIX)
    script.write_text(f"local paths = {{{paths}}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n"
                      f"  return wrk.format(\"GET\", paths[i])\nend\n")
    return script


def top_ids(base: str, path: str) -> list[str]:
    with urllib.request.urlopen(base + path, timeout=60) as response:
        html = response.read().decode()
    section = html.split('class="hits"', 1)[-1]
    return re.findall(r'<h2><a href="/documents/([0-9A-F-]{36})"', section)[:20]


class Session:
    """A logged-in HTTP client (cookies and the CSRF token)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name.endswith("cpmg_csrf"))

    def login(self, email, password):
        self.opener.open(self.base + "/login").read()
        data = urllib.parse.urlencode({"_csrf": self.csrf(), "email": email, "password": password}).encode()
        self.opener.open(self.base + "/login", data=data).read()

    def upload(self, fields: list[tuple[str, str]], filename: str, content: bytes):
        boundary = "----bench" + uuid.uuid4().hex
        body = b""
        for name, value in fields + [("_csrf", self.csrf())]:
            body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files[]\"; filename=\"{filename}\"\r\n"
                 f"Content-Type: application/pdf\r\n\r\n").encode() + content + b"\r\n"
        body += f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(self.base + "/documents/new", data=body,
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self.opener.open(request)


def upload_to_searchable(base: str) -> float:
    session = Session(base)
    session.login(*ADMIN)
    word = "benchword" + uuid.uuid4().hex[:8]
    pages = [f"Page {i}: migration governance in the Caribbean, border posts and labour mobility." for i in range(1, 50)]
    pages.append(f"Page 50: the last page carries the word {word}.")
    pdf = make_pdf(pages)
    fields = [("title", "Fifty-page benchmark report"), ("authors", "Bench, Mark"), ("year", "2024"), ("kind", "report"),
              ("languages[]", "en"), ("countries[]", "jm"), ("visibility", "public"), ("action", "submit")]
    start = time.perf_counter()
    session.upload(fields, "bench.pdf", pdf).read()
    deadline = start + 60
    while time.perf_counter() < deadline:
        with urllib.request.urlopen(f"{base}/documents?q={word}", timeout=30) as response:
            if "1 document" in response.read().decode():
                return time.perf_counter() - start
        time.sleep(0.05)
    return float("nan")


def compressed_size(base: str, path: str) -> int:
    with urllib.request.urlopen(base + path, timeout=30) as response:
        html = response.read()
    css_path = re.search(rb'href="(/assets/site\.[0-9a-f]+\.css)"', html).group(1).decode()
    with urllib.request.urlopen(base + css_path, timeout=30) as response:
        css = response.read()
    return len(gzip.compress(html, 6)) + len(gzip.compress(css, 6))


def nginx_baseline(html: bytes, work: Path, seconds: int, connections: int) -> dict:
    root = work / "nginx"
    root.mkdir(exist_ok=True)
    (root / "page.html").write_bytes(html)
    port = free_port()
    conf = root / "nginx.conf"
    conf.write_text(f"""
worker_processes 2;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  gzip on; gzip_min_length 256;
  server {{ listen 127.0.0.1:{port}; root {root}; location / {{ default_type text/html; }} }}
}}
""")
    subprocess.run(["nginx", "-c", str(conf), "-p", str(root)], check=True)
    try:
        time.sleep(0.5)
        return wrk(f"http://127.0.0.1:{port}/page.html", seconds, connections)
    finally:
        subprocess.run(["nginx", "-c", str(conf), "-p", str(root), "-s", "stop"], check=False)


def run_engine(name: str, binary: Path, env: dict, args, work: Path, baseline_html: list) -> dict:
    log = work / f"{name}.log"
    result = {"engine": name}
    # 1. The corpus (kept between runs in the work folder).
    marker = work / f"{name}.loaded"
    if not marker.exists() or marker.read_text().strip() != str(args.documents):
        start = time.time()
        admin = subprocess.run([str(binary), "create-admin", "--email", ADMIN[0], "--name", "Bench Admin"],
                               input=ADMIN[1] + "\n", text=True, env={**os.environ, **env}, capture_output=True)
        if admin.returncode != 0 and "already exists" not in admin.stderr + admin.stdout:
            raise SystemExit(admin.stderr)
        subprocess.run([str(binary), "demo-data", "--documents", str(args.documents)], env={**os.environ, **env}, check=True)
        result["load_seconds"] = round(time.time() - start, 1)
        marker.write_text(str(args.documents))

    # 2. Sequential latency per query, bounded ranking (the platform's setting).
    server = Server(binary, env, log)
    try:
        timed_requests(server.base, MIX[1][1], 5)  # warm up
        result["latency"] = {}
        for label, path in MIX:
            times = timed_requests(server.base, path, args.requests)
            result["latency"][label] = {p: round(percentile(times, p), 1) for p in (50, 95, 99)}
        result["load"] = wrk(server.base + MIX[0][1], args.seconds, args.connections, mix_script(work))
        result["top20"] = {label: top_ids(server.base, path) for label, path in MIX}
        result["list_page_gzip_bytes"] = compressed_size(server.base, "/documents")
        if not baseline_html:
            with urllib.request.urlopen(server.base + MIX[1][1], timeout=60) as response:
                baseline_html.append(response.read())
        result["upload_to_searchable_seconds"] = round(upload_to_searchable(server.base), 2)
    finally:
        server.stop()

    # 3. The same queries ranked over every match: what the bound costs in quality and time.
    server = Server(binary, {**env, "CPMG_SEARCH_CANDIDATES": "10000000"}, log)
    try:
        result["unbounded"] = {}
        for label, path in MIX:
            times = timed_requests(server.base, path, max(5, args.requests // 10))
            exhaustive = top_ids(server.base, path)
            bounded = result["top20"][label]
            overlap = len(set(exhaustive) & set(bounded)) / max(1, len(exhaustive)) if exhaustive else 1.0
            result["unbounded"][label] = {"p50": round(percentile(times, 50), 1), "p95": round(percentile(times, 95), 1),
                                          "top20_overlap": round(overlap, 2)}
    finally:
        server.stop()
    return result


def report(results: list[dict], baseline: dict, args) -> str:
    lines = [f"# Search benchmark — {dt.date.today().isoformat()}", "",
             f"{args.documents:,} synthetic documents (`cpmg demo-data`, ~1,500 words each), release build, "
             f"{os.cpu_count()} cores. Latency: {args.requests} sequential requests per query on one keep-alive "
             f"connection over loopback (client-side, so it includes HTTP). Load: wrk, 2 threads, "
             f"{args.connections} connections, {args.seconds} s, the five queries in turn.", "",
             "Budgets: p95 under 50 ms (SQLite) and 100 ms (PostgreSQL) for every query; a 50-page PDF "
             "searchable in under 5 s; a list page under 30 KB compressed.", ""]
    for r in results:
        budget = 50 if r["engine"] == "sqlite" else 100
        lines += [f"## {r['engine']}", ""]
        if "load_seconds" in r:
            lines += [f"Loading the corpus took {r['load_seconds']} s.", ""]
        lines += ["| query | p50 ms | p95 ms | p99 ms | within budget | unbounded p95 ms | top-20 overlap with unbounded |",
                  "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
        for label, _ in MIX:
            l = r["latency"][label]
            u = r["unbounded"][label]
            lines.append(f"| {label} | {l[50]} | {l[95]} | {l[99]} | {'yes' if l[95] < budget else 'NO'} | {u['p95']} | {u['top20_overlap']:.0%} |")
        load = r["load"]
        ratio = load["rps"] / baseline["rps"] if baseline else float("nan")
        lines += ["", f"Under load: {load['rps']:.0f} requests/s (p50 {load['latency'].get('50%', 0):.1f} ms, "
                      f"p99 {load['latency'].get('99%', 0):.1f} ms, {load['errors']} errors) — "
                      f"{ratio:.3f} × nginx serving the same page statically.",
                  f"Upload of a 50-page PDF to found by a word on its last page: {r['upload_to_searchable_seconds']} s.",
                  f"`/documents` with its stylesheet, gzip: {r['list_page_gzip_bytes'] / 1024:.1f} KB.", ""]
    if baseline:
        lines += ["## Baseline", "", f"nginx, the common-word result page as a static file, same wrk settings: "
                  f"{baseline['rps']:.0f} requests/s (p50 {baseline['latency'].get('50%', 0):.2f} ms, "
                  f"p99 {baseline['latency'].get('99%', 0):.2f} ms).", ""]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200, help="sequential requests per query (default 200)")
    parser.add_argument("--seconds", type=int, default=15, help="wrk duration (default 15)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--work", default=os.environ.get("BENCH_DIR", "/tmp/cpmg-bench"), help="corpora are kept here between runs")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--keep-postgres", action="store_true",
                        help="POSTGRES_TEST_URL is a database kept between runs: load it only once, like SQLite")
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "cpmg"), help="the cpmg binary to measure")
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / f"search-{dt.date.today().isoformat()}.md"))
    args = parser.parse_args()

    binary = Path(args.binary)
    if not binary.exists():
        raise SystemExit("build the release binary first: swift build -c release (bench/search does)")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    engines = []
    if args.only in (None, "sqlite"):
        engines.append(("sqlite", {"CPMG_DATA_DIR": str(work / "sqlite")}))
    if args.only in (None, "postgres") and os.environ.get("POSTGRES_TEST_URL"):
        engines.append(("postgres", {"CPMG_DATA_DIR": str(work / "postgres"), "DATABASE_URL": os.environ["POSTGRES_TEST_URL"]}))
        # A throwaway server is a new database every run: load again.
        if not args.keep_postgres:
            (work / "postgres.loaded").unlink(missing_ok=True)
    results, baseline_html = [], []
    for name, env in engines:
        print(f"== {name}", flush=True)
        results.append(run_engine(name, binary, env, args, work, baseline_html))
        print(json.dumps(results[-1], indent=1), flush=True)
    baseline = nginx_baseline(baseline_html[0], work, args.seconds, args.connections) if baseline_html and shutil.which("nginx") else {}
    text = report(results, baseline, args)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
