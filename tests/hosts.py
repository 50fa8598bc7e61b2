"""Real processes for the several-hosts tests: gunicorn app hosts (deploy/gunicorn.conf.py)
and nginx running the site template (deploy/nginx/hotline.conf) from a temporary folder."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = ROOT / "deploy" / "nginx" / "hotline.conf"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
UPSTREAM_CHECK = ROOT / "deploy" / "upstream_check.py"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on at `address` now."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def wait_for_port(address: str, port: int, timeout: float = 30) -> None:
    """Return once something accepts connections on address:port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {address}:{port}")


def self_signed(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A throwaway certificate for `name` (and 127.0.0.1) and its key, made by openssl."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]
        + ["-nodes", "-days", "1", "-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)]
        + ["-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def render(template: str, values: dict[str, str]) -> str:
    """The template with every @NAME@ replaced, as the installer renders it."""
    text = template
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = set(re.findall(r"@[A-Z_]+@", text))
    if left:
        raise ValueError(f"placeholders without a value: {sorted(left)}")
    return text


def test_site(
    values: dict[str, str], http_port: int, https_port: int, server_lines: str = ""
) -> str:
    """The site template rendered for a test: its listen lines on 127.0.0.1 and free ports,
    and `server_lines` added to the HTTPS server (headers for the test to read)."""
    text = render(SITE_TEMPLATE.read_text(encoding="utf-8"), values)
    text = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", text, flags=re.M)
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{http_port};", text)
    text = re.sub(r"listen 443 ", f"listen 127.0.0.1:{https_port} ", text)
    marker = "    ssl_certificate_key"
    return text.replace(marker, server_lines + marker, 1)


test_site.__test__ = False  # a helper, not a pytest test


class Nginx:
    """nginx in the foreground with its own prefix, pid, logs and temporary files."""

    def __init__(self, directory: Path, site: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "site.conf").write_text(site, encoding="utf-8")
        temp = "\n".join(
            f"    {kind}_temp_path {directory / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As Debian's /etc/nginx/nginx.conf around sites-enabled (gzip on for text/html too).
        self.conf = directory / "nginx.conf"
        self.conf.write_text(
            f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 2;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;
events {{ worker_connections 512; }}
http {{
    sendfile on;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    gzip on;
{temp}
    include {directory / "site.conf"};
}}
""",
            encoding="utf-8",
        )
        self.process: subprocess.Popen | None = None

    def command(self, *args: str) -> list[str]:
        return [NGINX, "-p", str(self.directory), "-c", str(self.conf), *args]

    def check(self) -> None:
        """nginx -t: the configuration is valid (raises with nginx's message if not)."""
        result = subprocess.run(self.command("-t"), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)

    def start(self, port: int) -> None:
        self.check()
        self.process = subprocess.Popen(
            self.command("-g", "daemon off;"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        wait_for_port("127.0.0.1", port)

    def reload_command(self) -> str:
        """What upstream_check.py runs to reload this nginx."""
        return " ".join(self.command("-s", "reload"))

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: workers finish their requests
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stderr.close()


class AppHost:
    """gunicorn with deploy/gunicorn.conf.py on address:port, in its own process group so
    that SIGKILL takes master and workers at once, as a crashed machine would."""

    def __init__(self, address: str, port: int, env: dict[str, str], log: Path) -> None:
        self.address, self.port = address, port
        self.name = f"{address}:{port}"
        self.env = {
            **os.environ,
            **env,
            "HOTLINE_BIND": self.name,
            "HOTLINE_LOG_LEVEL": "warning",
        }
        self.log = log
        self.process: subprocess.Popen | None = None
        self.refused_since = 0.0  # when the port refused connections after a kill

    def start(self, timeout: float = 60) -> float:
        """Start and wait until GET /login answers 200; the seconds it took."""
        started = time.monotonic()
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "-c",
                    str(GUNICORN_CONF),
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn on {self.name} exited: see {self.log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                connection = http.client.HTTPConnection(self.address, self.port, timeout=5)
                try:
                    connection.request("GET", "/login")
                    if connection.getresponse().status == 200:
                        return time.monotonic() - started
                finally:
                    connection.close()
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"gunicorn on {self.name} did not start: see {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole process group and wait until every process of it is gone."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.refused_since = self._refused()
        self.process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        raise RuntimeError(f"gunicorn's workers on {self.name} outlived SIGKILL")

    def _refused(self, timeout: float = 10) -> float:
        """The time the port first refuses a connection (every process holding it gone)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.address, self.port), timeout=0.5).close()
            except ConnectionRefusedError:
                return time.monotonic()
            except OSError:
                pass
            time.sleep(0.001)
        raise RuntimeError(f"{self.name} still accepts connections after SIGKILL")

    def stop(self) -> None:
        """SIGTERM (graceful), SIGKILL if it takes too long."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def https_context(cert: Path) -> ssl.SSLContext:
    """A client context that trusts only the test's certificate."""
    return ssl.create_default_context(cafile=str(cert))
