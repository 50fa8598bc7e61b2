"""Print a pip lock file for a wheelhouse: every wheel pinned with its sha256.

    python3 deploy/bundle/lock.py wheels/ [--exclude NAME ...] > requirements.lock

`pip install --no-index --find-links wheels --require-hashes -r requirements.lock` then
installs exactly these files, and refuses any other (a changed or added wheel).
"""

import hashlib
import re
import sys
from pathlib import Path


def canonical(name: str) -> str:
    """The name as pip compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock(folder: Path, exclude: set[str]) -> str:
    """The lock file's text for every wheel in `folder` but the excluded names."""
    pins: dict[tuple[str, str], list[str]] = {}
    for wheel in sorted(folder.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        if canonical(name) in exclude:
            continue
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        pins.setdefault((canonical(name), version), []).append(digest)
    names = [name for name, _ in pins]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        sys.exit(f"two versions of {', '.join(twice)} in {folder}: empty the wheel cache")
    lines = ["# Every wheel of the bundle's wheelhouse, pinned (deploy/bundle/lock.py)."]
    for (name, version), digests in sorted(pins.items()):
        hashes = " ".join(f"--hash=sha256:{digest}" for digest in sorted(digests))
        lines.append(f"{name}=={version} {hashes}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Arguments: the wheel folder, then optionally --exclude and names."""
    args = sys.argv[1:]
    names = args[args.index("--exclude") + 1 :] if "--exclude" in args else []
    exclude = {canonical(name) for name in names}
    sys.stdout.write(lock(Path(args[0]), exclude))


if __name__ == "__main__":
    main()
