"""Fixtures for the browser end-to-end tests.

`cpmg_server` starts the real server binary (built beforehand by scripts/test; set CPMG_BIN
to use another) on SQLite in a temp data dir, with mail going to scripts/fake-sendmail.
`browser` is headless Debian chromium driven by Selenium, with helpers for waiting and
numbered screenshots in artifacts/browser/.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

ADMIN_EMAIL = "admin@example.org"
ADMIN_NAME = "Ada Admin"
ADMIN_PASSWORD = "correct horse battery staple"

STARTUP_TIMEOUT = 60
WAIT = 15

# Never let Selenium Manager go online to look for a driver or a browser.
os.environ.setdefault("SE_OFFLINE", "true")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_binary() -> Path:
    explicit = os.environ.get("CPMG_BIN")
    if explicit:
        path = Path(explicit)
    else:
        try:
            bin_dir = subprocess.run(
                ["swift", "build", "--show-bin-path"],
                cwd=REPO_ROOT, check=True, capture_output=True, text=True, timeout=120,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError) as exc:
            pytest.fail(f"cannot find the server binary (swift build --show-bin-path): {exc}")
        path = Path(bin_dir) / "cpmg"
    if not os.access(path, os.X_OK):
        pytest.fail(f"server binary not found at {path}: run `swift build` (scripts/test does)")
    return path


class Mailbox:
    """The messages that scripts/fake-sendmail wrote to one folder."""

    def __init__(self, directory: Path):
        self.dir = directory

    def messages(self) -> list[tuple[Path, email.message.EmailMessage]]:
        if not self.dir.is_dir():
            return []

        def key(p: Path):
            stem = p.name.split("-", 1)[0]
            return (int(stem) if stem.isdigit() else 0, p.name)

        out = []
        for path in sorted(self.dir.glob("*.eml"), key=key):
            msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            out.append((path, msg))
        return out

    @staticmethod
    def recipients(msg) -> set[str]:
        fields = [str(v) for h in ("To", "Cc", "Bcc") for v in (msg.get_all(h) or [])]
        return {addr.lower() for _, addr in email.utils.getaddresses(fields)}

    @staticmethod
    def text(msg) -> str:
        part = msg.get_body(preferencelist=("plain",))
        if part is None:
            raise AssertionError(f"message {msg['Subject']!r} has no text/plain part")
        return part.get_content()

    @staticmethod
    def _holds(where, msg) -> bool:
        try:
            return bool(where(msg))
        except Exception:  # noqa: BLE001 - a message without the expected shape does not match
            return False

    def wait_for(self, to: str, *, exclude=frozenset(), where=None, timeout: float = 20):
        """The newest message to `to` whose file is not in `exclude` and for which
        `where(message)` holds (if given); polls up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = [(p, m) for p, m in self.messages()
                     if p not in exclude and to.lower() in self.recipients(m)
                     and (where is None or self._holds(where, m))]
            if found:
                return found[-1]
            if time.monotonic() > deadline:
                seen = [(p.name, sorted(self.recipients(m)), str(m["Subject"]))
                        for p, m in self.messages()]
                raise AssertionError(
                    f"no new mail to {to} in {self.dir} after {timeout:.0f} s; mails there: {seen}")
            time.sleep(0.25)


class Server:
    def __init__(self, binary: Path, tmp: Path):
        self.binary = binary
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp / "data"
        self.mail_dir = tmp / "mail"
        self.log_path = tmp / "server.log"
        self.data_dir.mkdir()
        self.mail_dir.mkdir()
        self.mailbox = Mailbox(self.mail_dir)
        self.proc: subprocess.Popen | None = None
        sendmail = REPO_ROOT / "scripts" / "fake-sendmail"
        sendmail.chmod(sendmail.stat().st_mode | 0o111)
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)  # SQLite
        env.update({
            "CPMG_DATA_DIR": str(self.data_dir),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "CPMG_PUBLIC_URL": self.base_url,
            "SENDMAIL_PATH": str(sendmail),
            "FAKE_SENDMAIL_DIR": str(self.mail_dir),
            "CPMG_JOB_POLL_SECONDS": "1",
        })
        self.env = env

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no server log)"

    def create_admin(self):
        result = subprocess.run(
            [str(self.binary), "create-admin", "--email", ADMIN_EMAIL, "--name", ADMIN_NAME],
            input=ADMIN_PASSWORD + "\n", env=self.env, cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=180,
        )
        if result.returncode != 0:
            pytest.fail(f"create-admin exited {result.returncode}\n"
                        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")

    def start(self):
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [str(self.binary), "serve"], env=self.env, cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"server exited with {self.proc.returncode} while starting\n{self.log()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
                    last = f"HTTP {r.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}"
            except (OSError, urllib.error.URLError) as exc:
                last = repr(exc)
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"GET /healthz did not answer 200 in {STARTUP_TIMEOUT} s (last: {last})\n{self.log()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in list(ARTIFACTS.glob("*.png")) + list(ARTIFACTS.glob("*.html")) + list(ARTIFACTS.glob("*.log")):
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session")
def cpmg_server(tmp_path_factory, artifacts_dir):
    server = Server(_server_binary(), tmp_path_factory.mktemp("cpmg"))
    server.create_admin()
    server.start()
    try:
        yield server
    finally:
        server.stop()
        if server.log_path.exists():
            shutil.copyfile(server.log_path, artifacts_dir / "server.log")


class Browser:
    """A Selenium driver with the waits the journey needs."""

    def __init__(self, driver, base_url: str, shots: Path):
        self.driver = driver
        self.base_url = base_url
        self.shots = shots
        self.count = 0

    # navigation
    def go(self, path: str):
        self.driver.get(self.base_url + path)
        self.wait_ready()

    def path(self) -> str:
        return urllib.parse.urlparse(self.driver.current_url).path

    def wait_ready(self):
        WebDriverWait(self.driver, WAIT).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def click_and_wait(self, element):
        """Click something that loads a new page (link or submit button) and wait for it."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        element.click()

        def replaced(_):
            # Chromium reports a replaced document either as a stale element or, after some
            # navigations (a multipart upload), as "Node … does not belong to the document".
            try:
                old.is_enabled()
                return False
            except (StaleElementReferenceException, WebDriverException):
                return True
        try:
            WebDriverWait(self.driver, WAIT).until(replaced)
        except TimeoutException:
            raise AssertionError(f"clicking did not load a new page; still at {self.describe()}")
        self.wait_ready()

    def wait_path(self, expected: str, *, prefix: bool = False):
        def ok(_):
            p = self.path()
            return p.startswith(expected) if prefix else p == expected
        try:
            WebDriverWait(self.driver, WAIT).until(ok)
        except TimeoutException:
            raise AssertionError(f"expected path {expected!r}{' (prefix)' if prefix else ''}, "
                                 f"got {self.describe()}")

    def wait_until(self, condition, message: str):
        try:
            return WebDriverWait(self.driver, WAIT, ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException)).until(condition)
        except TimeoutException:
            raise AssertionError(f"{message}; at {self.describe()}")

    # elements
    def find(self, css: str, within=None):
        try:
            return (within or self.driver).find_element(By.CSS_SELECTOR, css)
        except NoSuchElementException:
            raise AssertionError(f"no element {css!r} at {self.describe()}")

    def exists(self, css: str) -> bool:
        return bool(self.driver.find_elements(By.CSS_SELECTOR, css))

    def first_visible(self, css: str):
        for el in self.driver.find_elements(By.CSS_SELECTOR, css):
            if el.is_displayed():
                return el
        raise AssertionError(f"no visible element {css!r} at {self.describe()}")

    def fill(self, form, name: str, value: str):
        el = self.find(f'[name="{name}"]', within=form)
        el.clear()
        el.send_keys(value)

    def html_lang(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "html").get_attribute("lang") or ""

    def body_text(self) -> str:
        return self.driver.find_element(By.TAG_NAME, "body").text

    def describe(self) -> str:
        """Where we are, for failure messages: URL, <h1> and any error summary."""
        bits = [self.driver.current_url]
        for css in ("h1", ".error-summary", ".notice"):
            for el in self.driver.find_elements(By.CSS_SELECTOR, css)[:1]:
                bits.append(f"{css}: {el.text.strip()[:300]!r}")
        return " | ".join(bits)

    def shot(self, name: str) -> Path:
        self.count += 1
        path = self.shots / f"{self.count:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture
def browser(cpmg_server, artifacts_dir, request):
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            pytest.fail(f"{path} missing: apt-get install chromium chromium-driver (scripts/test does)")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--lang=en-US"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-US,en"})
    options.binary_location = CHROMIUM
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    b = Browser(driver, cpmg_server.base_url, artifacts_dir)
    try:
        yield b
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            try:
                driver.save_screenshot(str(artifacts_dir / "99-failure.png"))
                (artifacts_dir / "99-failure.html").write_text(driver.page_source)
            except Exception:  # noqa: BLE001 - best effort diagnostics
                pass
        driver.quit()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
    if rep.failed:
        server = item.funcargs.get("cpmg_server") if hasattr(item, "funcargs") else None
        if server is not None:
            rep.sections.append(("cpmg server log", server.log()[-20000:]))
