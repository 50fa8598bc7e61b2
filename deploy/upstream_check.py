#!/usr/bin/env python3
"""Active health check of the app hosts behind nginx: a sick host is taken out of rotation.

Open-source nginx only notices a dead host when a request fails on it (max_fails). This
script, run every 2 s by hotline-upstream-check.timer, GETs every host's /readyz (200 when
the database answers and the migrations are current) and writes nginx's upstream include:
one `server` line per host, with `down` on a host whose check failed FALL times in a row;
it comes back after RISE successes. nginx is reloaded only when the file changed.

If every host fails (the database is down, say), none is marked down: the app's own error
answers are better than nginx's 502 for all, and the hosts come back without a reload.

Standard library only (it runs with the system's python3). The hosts file has one
`address:port` a line; `#` starts a comment. Between runs the counts are kept in --state.

Run: upstream_check.py --hosts /etc/hotline/upstream-hosts --output /etc/hotline/upstreams.conf
     --state /var/lib/hotline-upstream-check/state.json [--reload "nginx -s reload"]
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HEADER = "# Written by deploy/upstream_check.py; do not edit (the hosts are listed in {hosts}).\n"


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=Path, required=True, help="one address:port a line")
    parser.add_argument("--output", type=Path, required=True, help="nginx's upstream include")
    parser.add_argument("--state", type=Path, required=True, help="counts between runs (JSON)")
    parser.add_argument("--path", default="/readyz", help="the GET that must answer 200")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per check")
    parser.add_argument("--fall", type=int, default=2, help="failures in a row: down")
    parser.add_argument("--rise", type=int, default=2, help="successes in a row: back up")
    parser.add_argument(
        "--server-options",
        default="max_fails=2 fail_timeout=10s",
        help="appended to every server line (nginx's passive check between runs)",
    )
    parser.add_argument("--reload", default="nginx -s reload", help="run when the file changed")
    parser.add_argument("--no-reload", action="store_true", help="write the file only")
    return parser.parse_args(argv)


def read_hosts(path: Path) -> list[str]:
    """The hosts in the order listed, without comments and blank lines."""
    hosts = []
    for line in path.read_text(encoding="utf-8").splitlines():
        host = line.split("#", 1)[0].strip()
        if host and host not in hosts:
            hosts.append(host)
    return hosts


def healthy(host: str, path: str, timeout: float) -> bool:
    """True if GET http://host/path answers 200 within `timeout` seconds."""
    url = f"http://{host}{path}"  # always http: the scheme is ours, not configurable
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310
            return answer.status == 200
    except Exception:  # noqa: BLE001 - a bad status line, a reset, a timeout: all "unhealthy"
        return False


def update(state: dict, results: dict[str, bool], fall: int, rise: int) -> dict:
    """The new counts and down flags after one round of `results` (host -> healthy)."""
    new = {}
    for host, ok in results.items():
        old = state.get(host, {"failures": 0, "successes": 0, "down": False})
        failures = 0 if ok else old["failures"] + 1
        successes = old["successes"] + 1 if ok else 0
        down = old["down"]
        if failures >= fall:
            down = True
        elif down and successes >= rise:
            down = False
        new[host] = {"failures": failures, "successes": successes, "down": down}
    return new


def render(hosts: list[str], down: set[str], options: str, hosts_file: Path) -> str:
    """The upstream include; with every host down none is marked (fail open)."""
    if set(hosts) <= down:
        down = set()
    lines = [HEADER.format(hosts=hosts_file)]
    for host in hosts:
        flags = " ".join(filter(None, [options, "down" if host in down else ""]))
        lines.append(f"server {host}{' ' + flags if flags else ''};\n")
    return "".join(lines)


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` in one step, so that a reloading nginx never reads half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, 0o644)  # nginx's workers run as www-data
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """One round: check, write, reload if changed. Returns the exit status."""
    hosts = read_hosts(args.hosts)
    if not hosts:
        print(f"no hosts in {args.hosts}", file=sys.stderr)
        return 2
    try:
        saved = json.loads(args.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    state = saved.get("hosts", {})
    with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
        answers = pool.map(lambda h: healthy(h, args.path, args.timeout), hosts)
        results = dict(zip(hosts, answers, strict=True))
    new = update(state, results, args.fall, args.rise)
    down = {host for host, counts in new.items() if counts["down"]}
    for host in hosts:
        was = state.get(host, {}).get("down", False)
        if was != new[host]["down"]:
            print(f"{host}: {'down' if new[host]['down'] else 'back up'}", flush=True)
    if down and set(hosts) <= down:
        print("every host fails its check: none is taken out", file=sys.stderr, flush=True)
    text = render(hosts, down, args.server_options, args.hosts)
    try:
        changed = args.output.read_text(encoding="utf-8") != text
    except OSError:
        changed = True
    if changed:
        write_atomically(args.output, text)
    # A reload that failed is tried again on the next round, though the file is unchanged.
    pending = (changed or saved.get("reload_pending", False)) and not args.no_reload
    if pending:
        reload = subprocess.run(shlex.split(args.reload), check=False)  # noqa: S603
        pending = reload.returncode != 0
        if pending:
            print(f"{args.reload!r} failed with {reload.returncode}", file=sys.stderr)
    write_atomically(args.state, json.dumps({"hosts": new, "reload_pending": pending}, indent=1))
    return 1 if pending else 0


if __name__ == "__main__":
    sys.exit(run(arguments()))
