"""Bench plumbing for Python-driven load: a gunicorn that can be killed and restarted on the
same port, a small keep-alive HTTP client (http.client, no cookie jar) and the operator's
log-in with CSRF. Used by bench/crash.py and bench/login_stall.py; the wrk benches use
bench/_harness.py."""

import contextlib
import http.client
import os
import re
import signal
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path

from bench._harness import ROOT, VENV_BIN, free_port

# What a client sees while the server is down or dies under it: retried, never a success.
CONNECTION_ERRORS = (OSError, http.client.HTTPException)

CSRF_FIELD = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Server:
    """gunicorn in its own process group on a fixed port: start, SIGKILL it all, restart.

    `health` is a GET that must answer 200 before the server counts as up (it should read
    the database, so that "up" means able to serve).
    """

    def __init__(
        self, app: str, env: dict, workers: int = 2, threads: int = 4, health: str = "/login"
    ) -> None:
        self.app, self.env, self.health = app, env, health
        self.workers, self.threads = workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        """Start gunicorn and wait until `health` answers 200; returns the seconds it took."""
        started = time.monotonic()
        self.process = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(self.workers),
                "--threads",
                str(self.threads),
                "-b",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                self.app,
            ],
            cwd=ROOT,
            env={**os.environ, **self.env},
            start_new_session=True,  # its own process group: master and workers die together
        )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                self.kill()
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.health)
                status = connection.getresponse().status
                connection.close()
                if status == 200:
                    return time.monotonic() - started
            except CONNECTION_ERRORS:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("gunicorn did not become healthy")

    def kill(self) -> None:
        """SIGKILL the master and its workers (the whole process group), as a crash would."""
        with contextlib.suppress(ProcessLookupError):  # already gone, workers included
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:  # workers are reaped by init, not by us
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise RuntimeError("gunicorn's workers outlived SIGKILL")

    def stop(self) -> None:
        """Shut down gracefully (SIGTERM to the master)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()


class Client:
    """One keep-alive connection; reconnects after an error. The caller handles retries."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port, self.timeout = host, int(port), timeout
        self.connection: http.client.HTTPConnection | None = None
        self.cookie = ""

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        """Status, response (for headers) and body; raises CONNECTION_ERRORS on failure."""
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        sent = dict(headers or {})
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            sent["Cookie"] = self.cookie
        try:
            self.connection.request(
                method, path, body=body.encode() if body else None, headers=sent
            )
            response = self.connection.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, response, data

    def keep_cookies(self, response: http.client.HTTPResponse) -> None:
        """Take the cookies a response sets (the session) for the next requests."""
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        held = SimpleCookie(self.cookie)
        for name, morsel in jar.items():
            held[name] = morsel.value
        self.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in held.items())

    def csrf_token(self, path: str) -> str:
        """GET a form page; keep its session cookie; its CSRF token."""
        status, response, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        self.keep_cookies(response)
        return CSRF_FIELD.search(data.decode()).group(1)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def operator_session(base: str, username: str, password: str) -> tuple[str, str]:
    """Log in as in a browser (CSRF token from the form); the session cookie and the intake
    form's CSRF token. The cookie is then used as it is (the bench does not follow the
    redirect that would consume the flash message, so it must not keep the grown cookie)."""
    from urllib.parse import urlencode

    client = Client(base)
    token = client.csrf_token("/login")
    form = urlencode({"username": username, "password": password, "csrf_token": token})
    status, response, _ = client.request("POST", "/login", form)
    if status != 302:
        raise RuntimeError(f"log-in as {username} failed: {status}")
    client.keep_cookies(response)
    token = client.csrf_token("/intake")
    client.close()
    return client.cookie, token


def scrypt_counter(path: Path) -> int:
    """How many password hashes bench/counted_app.py has computed (one byte each)."""
    return path.stat().st_size if path.exists() else 0
