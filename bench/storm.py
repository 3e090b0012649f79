#!/usr/bin/env python3
"""Load shedding under a login and search storm, measured alone on this machine.

Starts `cpmg serve` (Bcrypt at its production cost) on SQLite in a temporary folder, or on the
database of POSTGRES_TEST_URL with --postgres, creates one member, then sends 50 logins (5 right
passwords, 45 wrong ones from 45 addresses through a trusted proxy header) and 50 searches at
once, while an operator probes /healthz every 200 ms. Prints the answers by status and the
probe times; exits 1 if any answer is a 5xx other than 503 with Retry-After, or if a probe takes
1 s or more (the issue's budget).

    swift build -c release --product cpmg
    python3 bench/storm.py                 # SQLite
    POSTGRES_TEST_URL=postgres://…?tlsmode=disable python3 bench/storm.py --postgres
"""
import argparse, concurrent.futures, http.client, os, re, socket, subprocess, sys, tempfile, time, urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASSWORD = "correct horse battery staple"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=60):
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, response.msg, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="use POSTGRES_TEST_URL instead of SQLite")
    parser.add_argument("--binary", default=None, help="cpmg binary (default: the release build)")
    args = parser.parse_args()
    binary = args.binary or os.path.join(ROOT, ".build", "release", "cpmg")
    if not os.access(binary, os.X_OK):
        sys.exit(f"no binary at {binary}: swift build -c release --product cpmg")
    data = tempfile.mkdtemp(prefix="cpmg-storm-")
    port = free_port()
    env = dict(os.environ, CPMG_DATA_DIR=data, CPMG_RESOURCES_DIR=os.path.join(ROOT, "Resources"), PORT=str(port),
               HOST="127.0.0.1", CPMG_TRUST_PROXY="true", CPMG_LOAD_STATISTICS="false", LOG_LEVEL="warning")
    if args.postgres:
        env["DATABASE_URL"] = os.environ["POSTGRES_TEST_URL"]
    email = f"storm-{int(time.time())}@example.org"
    subprocess.run([binary, "create-admin", "--email", email, "--name", "Storm Member"], input=PASSWORD + "\n",
                   text=True, env=env, check=True, capture_output=True)
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        status, headers, _ = request(port, "GET", "/login")
        cookies = " ".join(headers.get_all("Set-Cookie") or [])
        token = re.search(r"cpmg_csrf=([^;]+)", cookies).group(1)

        def login(i):
            body = urllib.parse.urlencode({"email": email if i < 5 else f"guest{i}@example.org",
                                           "password": PASSWORD if i < 5 else f"a wrong password {i}", "_csrf": token})
            return ("login",) + request(port, "POST", "/login", body, {
                "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"cpmg_csrf={token}",
                "X-Forwarded-For": f"198.51.100.{i + 1}"})

        def search(i):
            return ("search",) + request(port, "GET", f"/search?q={['migration', 'trafficking', 'border'][i % 3]}+{i}")

        probes = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
            futures = [pool.submit(login, i) for i in range(50)] + [pool.submit(search, i) for i in range(50)]
            time.sleep(0.1)
            while not all(f.done() for f in futures) or len(probes) < 5:
                probes.append(request(port, "GET", "/healthz")[2])
                time.sleep(0.2)
            answers = [f.result() for f in futures]
    finally:
        server.terminate()
        server.wait(timeout=30)

    tally = {}
    bad = []
    for kind, status, headers, _ in answers:
        tally[f"{kind} {status}"] = tally.get(f"{kind} {status}", 0) + 1
        if status >= 500 and not (status == 503 and "Retry-After" in headers):
            bad.append(f"{kind} {status}")
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{engine}: " + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items())))
    print(f"{engine}: /healthz max {max(probes):.3f} s, median {sorted(probes)[len(probes) // 2]:.3f} s over {len(probes)} probes")
    if bad or max(probes) >= 1.0:
        print("FAILED: " + (", ".join(bad) if bad else f"/healthz took {max(probes):.3f} s"))
        sys.exit(1)


if __name__ == "__main__":
    main()
