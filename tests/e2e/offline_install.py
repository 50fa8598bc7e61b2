"""The offline install, run inside a network namespace with no network (only `lo`).

    unshare -n python -m tests.e2e.offline_install BUNDLE.tar.gz WORKDIR

Unpacks the bundle, proves its apt repository complete, starts a throwaway PostgreSQL,
runs install.sh, starts gunicorn and nginx as installed and fetches pages through nginx.
Prints one JSON line of findings last; exits non-zero (with the reason) on any failure.
tests/e2e/test_offline_install.py runs it and checks the findings.
"""

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVER_NAME = "hotline.test"
ADMIN = "firstadmin"
ADMIN_PASSWORD = "Offline-install-1"
APP_PORT = 8000  # the namespace is ours: the default ports are free
# How long a server may take to listen, and the scheduler to make the app ready: generous,
# since this runs at a low priority beside the rest of the suite (tests/e2e/bundle_job.py).
STARTUP_S = 180


def run(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    """Run a command, its output captured as text; a failure shows that output."""
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)
    if check and done.returncode != 0:
        raise SystemExit(
            f"{' '.join(map(str, args))} failed ({done.returncode}):\n"
            f"{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
        )
    return done


def no_network() -> list[str]:
    """Bring `lo` up and prove nothing else is reachable: no route, no other interface."""
    run("ip", "link", "set", "lo", "up")
    links = re.findall(r"^\d+: ([^:@]+)", run("ip", "-o", "link").stdout, re.M)
    routes = run("ip", "route").stdout.strip()
    assert links == ["lo"], links
    assert routes == "", routes
    with socket.socket() as probe:
        probe.settimeout(2)
        try:
            probe.connect(("151.101.0.223", 443))  # pypi.org
        except OSError as exc:
            assert exc.errno == 101, exc  # ENETUNREACH
        else:
            raise SystemExit("a registry answered inside the namespace")
    return links


def simulate_apt(bundle: Path, work: Path) -> dict:
    """Simulate installing the product's packages from the bundle's repository alone onto
    a Debian base system.

    The status file holds only this machine's `Priority: required`/`Essential: yes`
    packages and their dependencies, so anything the repository lacked would show as an
    unmet dependency. The machine has the packages installed already, so they are not
    installed for real: this simulation is the proof that the repository is complete.
    """
    apt = work / "apt"
    (apt / "lists" / "partial").mkdir(parents=True)
    (apt / "extended_states").touch()
    status = apt / "status"
    base = run(sys.executable, bundle / "app/deploy/bundle/base_status.py", "/var/lib/dpkg/status")
    status.write_text(base.stdout)
    (apt / "sources.list").write_text(f"deb [trusted=yes] file:{bundle / 'debs'} ./\n")
    options = [
        f"-oDir::Etc::sourcelist={apt / 'sources.list'}",
        "-oDir::Etc::sourceparts=-",
        f"-oDir::State={apt}",
        f"-oDir::State::Lists={apt / 'lists'}",
        f"-oDir::State::status={status}",
        f"-oDir::Cache={apt / 'cache'}",
        "-oDebug::NoLocking=1",
        "-oAPT::Sandbox::User=root",
        "-oAPT::Install-Recommends=0",
    ]
    run("apt-get", *options, "-qq", "update")
    packages = (bundle / "debs/packages-app.txt").read_text().split()
    packages += (bundle / "debs/packages-db.txt").read_text().split()
    plan = run("apt-get", *options, "-s", "install", *packages)
    installs = [line for line in plan.stdout.splitlines() if line.startswith("Inst ")]
    return {
        "packages": packages,
        "base_packages": status.read_text().count("\nPackage: ") + 1,
        "installs": len(installs),
        "debs": len(list((bundle / "debs").glob("*.deb"))),
        "unmet": "unmet" in plan.stdout.lower() or "unmet" in plan.stderr.lower(),
    }


def start_postgres(work: Path, stops: list) -> str:
    """A throwaway cluster on 127.0.0.1:5432 of the namespace, run by the postgres user; its
    stop joins `stops` as soon as it runs (pg_ctl detaches it from our process group)."""
    data, sockets = work / "pgdata", work / "pgsock"
    data.mkdir()
    sockets.mkdir()
    shutil.chown(data, "postgres")
    shutil.chown(sockets, "postgres")

    def as_postgres(command: str) -> None:
        run("su", "postgres", "-s", "/bin/sh", "-c", command)

    as_postgres(f"{PG_BIN}/initdb -D {data} -U postgres -A trust -E UTF8 --locale=C.UTF-8")

    def stop() -> None:
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", f"{PG_BIN}/pg_ctl -D {data} -m fast -w stop"],
            capture_output=True,
        )

    stops.append(stop)
    as_postgres(
        f"{PG_BIN}/pg_ctl -D {data} -l {data}/server.log -w -o "
        f"'-p 5432 -k {sockets} -c listen_addresses=127.0.0.1' start"
    )
    psql = ["psql", "-h", "127.0.0.1", "-p", "5432", "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
    run(*psql, "-c", "CREATE DATABASE hotline")
    run(*psql, "-d", "hotline", "-c", "CREATE EXTENSION IF NOT EXISTS postgis")
    return "postgresql+psycopg://postgres@127.0.0.1:5432/hotline"


def environment(etc: Path, work: Path) -> dict[str, str]:
    """hotline.env as systemd would pass it, with the metrics folder in the work dir."""
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(work)}
    for line in (etc / "hotline.env").read_text().splitlines():
        match = re.match(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if match:
            env[match[1]] = match[2]
    env["PROMETHEUS_MULTIPROC_DIR"] = str(work / "metrics")
    env["HOTLINE_BIND"] = f"127.0.0.1:{APP_PORT}"
    env["HOTLINE_WORKERS"] = "2"
    return env


def fetch(url: str) -> tuple[int, str, dict]:
    """GET through nginx as a browser of the centre would (Host: the server name)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the installer's self-signed certificate

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect())
    request = urllib.request.Request(url, headers={"Host": SERVER_NAME})  # noqa: S310 - ours
    try:
        with opener.open(request, timeout=20) as answer:
            return answer.status, answer.read().decode("utf-8", "replace"), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace"), dict(error.headers)


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = STARTUP_S) -> None:
    """Wait until something listens on 127.0.0.1:port (or the process died)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing listens on {port} after {seconds} s")


def nginx_conf(work: Path, site: Path) -> Path:
    """A whole nginx.conf around the rendered site, everything of its own in the work dir."""
    folder = work / "nginx"
    folder.mkdir()
    conf = folder / "nginx.conf"
    temps = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf.write_text(
        f"pid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        "events { worker_connections 64; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    access_log off;\n"
        f"{temps}\n    include {site};\n}}\n"
    )
    return conf


def main() -> None:
    """Every step in order; one JSON line of findings at the end."""
    bundle_archive, work = Path(sys.argv[1]), Path(sys.argv[2])
    # Stopped from outside (the session ends): leave through `finally`, which stops the
    # servers; PostgreSQL runs in a session of its own and would outlive us.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped by SIGTERM"))
    work.chmod(0o755)  # postgres and nginx's workers (nobody) read below here
    findings: dict = {"links": no_network()}
    run("tar", "-xzf", bundle_archive, "-C", work)
    bundle = next(work.glob("hotline-*-offline"))
    findings["apt"] = simulate_apt(bundle, work)

    stops = []
    try:
        url = start_postgres(work, stops)
        password_file = work / "admin-password"
        password_file.write_text(ADMIN_PASSWORD + "\n")
        password_file.chmod(0o600)
        prefix, etc, state = work / "opt", work / "etc", work / "state"
        install = run(
            "bash",
            bundle / "install.sh",
            "--prefix",
            prefix,
            "--etc-dir",
            etc,
            "--state-dir",
            state,
            "--log-dir",
            work / "log",
            "--no-systemd",
            "--no-user",
            "--no-system-packages",
            "--database-url",
            url,
            "--server-name",
            SERVER_NAME,
            "--upstream",
            f"127.0.0.1:{APP_PORT}",
            "--admin-user",
            ADMIN,
            "--admin-password-file",
            password_file,
            stdin=subprocess.DEVNULL,
        )
        findings["install_output"] = install.stdout + install.stderr
        current = prefix / "current"
        findings["current"] = os.readlink(current)

        env = environment(etc, work)
        app = current / "app"
        config = app / "deploy/gunicorn.conf.py"
        command = [str(current / "venv/bin/gunicorn")]
        command += ["-c", str(config)] if config.exists() else ["-b", env["HOTLINE_BIND"]]
        gunicorn = subprocess.Popen(
            [*command, "wsgi:app"],
            cwd=app,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "gunicorn.log", "w"),  # noqa: SIM115 - lives as long as gunicorn
        )
        stops.append(lambda: (gunicorn.send_signal(signal.SIGTERM), gunicorn.wait(30)))
        wait_for_port(APP_PORT, gunicorn)

        site = etc / "rendered/nginx/hotline.conf"
        conf = nginx_conf(work, site)
        run("nginx", "-t", "-q", "-c", conf)
        nginx = subprocess.Popen(
            ["nginx", "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(work / "nginx/stderr.log", "w"),  # noqa: SIM115
        )
        stops.append(lambda: (nginx.send_signal(signal.SIGQUIT), nginx.wait(30)))
        wait_for_port(443, nginx)

        # The scheduler as its unit starts it: /readyz wants a leader's recent heartbeat.
        scheduler = subprocess.Popen(
            [str(current / "venv/bin/flask"), "--app", "wsgi", "hotline", "scheduler"],
            cwd=app,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(work / "scheduler.log", "w"),  # noqa: SIM115
        )
        stops.append(lambda: (scheduler.send_signal(signal.SIGTERM), scheduler.wait(30)))
        end = time.monotonic() + STARTUP_S
        # Readiness is asked of the app host itself, as the health check does (nginx
        # refuses /readyz from outside).
        ready_url = f"http://127.0.0.1:{APP_PORT}/readyz"
        while fetch(ready_url)[0] != 200 and time.monotonic() < end:
            if scheduler.poll() is not None:
                raise SystemExit(f"the scheduler exited with {scheduler.returncode}")
            time.sleep(0.5)

        status, _, _ = fetch(ready_url)
        pages = {"app:/readyz": {"status": status}}
        for path in ("/readyz", "/login", "/static/vendor/leaflet/leaflet.css"):
            status, body, headers = fetch(f"https://127.0.0.1{path}")
            pages[path] = {
                "status": status,
                "length": len(body),
                "has_password_field": 'name="password"' in body,
            }
        status, _, headers = fetch("http://127.0.0.1/login")
        pages["http:/login"] = {"status": status, "location": headers.get("Location", "")}
        findings["pages"] = pages
        findings["users"] = run(
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "hotline",
            "-Atc",
            "SELECT username || ':' || role FROM users ORDER BY id",
        ).stdout.split()

        # Again: an upgrade. A backup first, a new release, `previous` the old one; then
        # --rollback switches back.
        common = ["--prefix", prefix, "--etc-dir", etc, "--state-dir", state]
        common += ["--log-dir", work / "log", "--no-systemd", "--no-user"]
        time.sleep(1)  # release names carry the second
        run(
            "bash", bundle / "install.sh", *common, "--no-system-packages", stdin=subprocess.DEVNULL
        )
        findings["upgrade"] = {
            "current": os.readlink(current),
            "previous": os.readlink(prefix / "previous"),
            "backups": [path.name for path in (state / "backups").iterdir()],
        }
        run("bash", bundle / "install.sh", *common, "--rollback", stdin=subprocess.DEVNULL)
        findings["rollback"] = {
            "current": os.readlink(current),
            "previous": os.readlink(prefix / "previous"),
        }
    finally:
        for stop in reversed(stops):
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 - stop the rest whatever happened
                print(f"stopping: {exc}", file=sys.stderr)
    print(json.dumps(findings))


if __name__ == "__main__":
    main()
