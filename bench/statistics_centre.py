#!/usr/bin/env python3
"""The statistics centre benchmark (see bench/README.md).

Loads about 1,000,000 observations (the real data plus `cpmg demo-data --observations`) into
SQLite and, when POSTGRES_TEST_URL is set, PostgreSQL; serves each with the release build and
measures: the p50/p95/p99 latency of an indicator page (chart + table, 10 countries × 35 years),
its weight (HTML + stylesheet, gzip), the streaming CSV download of a whole indicator of over
100,000 rows (MB/s and the server's memory before and after), and importing a 100,000-row CSV
with `cpmg import-statistics`. Results: bench/results/statistics-DATE.md. Loopback only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from search import ROOT, Server, compressed_size, percentile, timed_requests  # noqa: E402

PAGE = "/statistics/indicators/demo_1?c=ag,bs,bb,bz,cu,dm,do,gd,gy,ht&from=1990&to=2024"
DOWNLOAD = "/statistics/indicators/demo_big?format=csv&all=1"
BUDGETS = {"sqlite": 50, "postgres": 80}


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def import_file(work: Path) -> Path:
    """A tidy CSV of 100,320 rows for an existing indicator: 33 areas × 19 years × 10 ages × 16 … unique keys."""
    path = work / "import-100k.csv"
    if path.exists():
        return path
    areas = ["AG", "BS", "BB", "BZ", "CU", "DM", "DO", "GD", "GY", "HT", "JM", "KN", "LC", "VC", "SR", "TT", "AI", "VG", "KY", "MS",
             "TC", "BM", "AW", "CW", "SX", "BQ", "GP", "MQ", "GF", "MF", "BL", "PR", "VI"]
    lines = ["indicator,area,period,sex,age,value"]
    for area in areas:
        for year in range(1960, 2024):
            for sex in ("F", "M"):
                for age in range(24):
                    lines.append(f"demo_2,{area},{year},{sex},{age * 4}-{age * 4 + 3},{(year * 7 + age) % 1000}")
    path.write_text("\n".join(lines) + "\n")
    return path


def run_engine(name: str, binary: Path, env: dict, args, work: Path) -> dict:
    result = {"engine": name}
    marker = work / f"{name}.loaded"
    full_env = {**os.environ, **env}
    if not marker.exists() or marker.read_text().strip() != str(args.observations):
        start = time.time()
        subprocess.run([str(binary), "demo-data", "--observations", str(args.observations)], env=full_env, check=True)
        result["load_seconds"] = round(time.time() - start, 1)
        marker.write_text(str(args.observations))
    # With the kept-files directory in place the server starts no background export, which would
    # share the two cores with the measurements below.
    (Path(env["CPMG_DATA_DIR"]) / "cache" / "statistics").mkdir(parents=True, exist_ok=True)
    server = Server(binary, env, work / f"{name}.log")
    try:
        timed_requests(server.base, PAGE, 5)
        times = timed_requests(server.base, PAGE, args.requests)
        result["page"] = {p: round(percentile(times, p), 1) for p in (50, 95, 99)}
        result["page_gzip_bytes"] = compressed_size(server.base, PAGE)
        # "cold": no kept file, the download streams from the database (and keeps a copy);
        # "warm": that copy. Each is the median of three downloads.
        for kind in ("cold", "warm"):
            before = rss_kb(server.process.pid)
            target = work / f"download-{kind}.csv"
            runs = []
            for _ in range(3):
                if kind == "cold":
                    shutil.rmtree(Path(env["CPMG_DATA_DIR"]) / "cache" / "statistics", ignore_errors=True)
                # curl as the client: Python's HTTP client decodes chunked bodies slower than the server sends them.
                done = subprocess.run(["curl", "-s", "-o", str(target), "-w", "%{time_total} %{size_download}", server.base + DOWNLOAD],
                                      capture_output=True, text=True, check=True)
                runs.append((float(done.stdout.split()[0]), int(done.stdout.split()[1])))
            seconds, size = sorted(runs)[1]
            with target.open("rb") as handle:
                rows = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
            result["download_" + kind] = {"rows": rows - 1, "mb": round(size / 1e6, 1), "seconds": round(seconds, 2), "mb_per_s": round(size / 1e6 / seconds, 1),
                                          "rss_before_mb": round(before / 1024, 1), "rss_after_mb": round(rss_kb(server.process.pid) / 1024, 1)}
    finally:
        server.stop()
    path = import_file(work)
    start = time.time()
    done = subprocess.run([str(binary), "import-statistics", str(path), "--dataset", f"bench-import-{int(start)}", "--title", "Benchmark import (synthetic)",
                           "--source", "bench/statistics_centre.py", "--licence", "None"], env=full_env, capture_output=True, text=True)
    result["import"] = {"rows": sum(1 for _ in path.open()) - 1, "seconds": round(time.time() - start, 1), "ok": done.returncode == 0,
                        "output": (done.stdout + done.stderr).strip().splitlines()[-1:] }
    return result


def report(results: list[dict], args) -> str:
    lines = [f"# Statistics benchmark — {dt.date.today().isoformat()}", "",
             f"About {args.observations:,} synthetic observations (`cpmg demo-data --observations`) plus the real data, release build, 2 cores. "
             f"Page: `{PAGE}` (10 countries × 35 years), {args.requests} sequential requests on one connection, client-side. "
             f"Download: `{DOWNLOAD}`. Import: a 100,000-row tidy CSV through `cpmg import-statistics`.", "",
             "Budgets: indicator page p95 under 50 ms (SQLite) and 80 ms (PostgreSQL); CSV download over 50 MB/s in constant memory; "
             "import of 100,000 rows under 10 s; page under 40 KB compressed.", ""]
    for r in results:
        page, imported = r["page"], r["import"]
        lines += [f"## {r['engine']}", ""]
        if "load_seconds" in r:
            lines += [f"Loading the synthetic observations took {r['load_seconds']} s.", ""]
        lines += [
            "| measure | value | budget | within |", "| --- | ---: | ---: | --- |",
            f"| indicator page p50 / p95 / p99 | {page[50]} / {page[95]} / {page[99]} ms | {BUDGETS[r['engine']]} ms (p95) | {'yes' if page[95] < BUDGETS[r['engine']] else 'NO'} |",
            f"| page + stylesheet, gzip | {r['page_gzip_bytes'] / 1024:.1f} KB | 40 KB | {'yes' if r['page_gzip_bytes'] < 40 * 1024 else 'NO'} |",
        ]
        for kind, label in (("cold", "with no kept file, from the database"), ("warm", "from the kept file")):
            d = r["download_" + kind]
            lines += [
                f"| CSV download {label} ({d['rows']:,} rows, {d['mb']} MB) | {d['mb_per_s']} MB/s in {d['seconds']} s | 50 MB/s | {'yes' if d['mb_per_s'] > 50 else 'NO'} |",
                f"| server memory before / after it | {d['rss_before_mb']} / {d['rss_after_mb']} MB | constant | |",
            ]
        lines += [
            f"| import of {imported['rows']:,} rows | {imported['seconds']} s | 10 s | {'yes' if imported['ok'] and imported['seconds'] < 10 else 'NO'} |",
            "",
        ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--work", default=os.environ.get("BENCH_DIR", "/tmp/cpmg-bench-stats"))
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--keep-postgres", action="store_true", help="POSTGRES_TEST_URL is kept between runs: load it once")
    parser.add_argument("--binary", default=str(ROOT / ".build" / "release" / "cpmg"))
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / f"statistics-{dt.date.today().isoformat()}.md"))
    args = parser.parse_args()
    binary = Path(args.binary)
    if not binary.exists():
        raise SystemExit("build the release binary first: swift build -c release")
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    engines = []
    if args.only in (None, "sqlite"):
        engines.append(("sqlite", {"CPMG_DATA_DIR": str(work / "sqlite")}))
    if args.only in (None, "postgres") and os.environ.get("POSTGRES_TEST_URL"):
        engines.append(("postgres", {"CPMG_DATA_DIR": str(work / "postgres"), "DATABASE_URL": os.environ["POSTGRES_TEST_URL"]}))
        if not args.keep_postgres:
            (work / "postgres.loaded").unlink(missing_ok=True)
    results = []
    for name, env in engines:
        print(f"== {name}", flush=True)
        results.append(run_engine(name, binary, env, args, work))
        print(results[-1], flush=True)
    text = report(results, args)
    Path(args.output).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
