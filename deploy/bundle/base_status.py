"""Print the dpkg status of a Debian base system: the installed packages that are
`Priority: required` or `Essential: yes`, plus what they depend on (Depends and
Pre-Depends, through alternatives and virtual packages), taken from a dpkg status file.

The offline bundle resolves the product's Debian packages against this status, so that its
local repository holds everything a freshly installed Debian 12 lacks, and the test proves
the repository complete by simulating an install against it.

    python3 deploy/bundle/base_status.py [/var/lib/dpkg/status] > status
"""

import re
import sys


def stanzas(text: str) -> list[tuple[str, dict[str, str]]]:
    """(raw text, lower-case field -> value) for every stanza; continuation lines joined."""
    result = []
    for raw in re.split(r"\n\s*\n", text):
        if not raw.strip():
            continue
        fields: dict[str, str] = {}
        key = None
        for line in raw.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line
                continue
            name, _, value = line.partition(":")
            key = name.strip().lower()
            fields[key] = value.strip()
        result.append((raw.strip(), fields))
    return result


def relations(value: str) -> list[list[str]]:
    """A Depends value as a list of alternatives, each a list of package names."""
    groups = []
    for group in value.split(","):
        names = []
        for alternative in group.split("|"):
            name = alternative.strip().split(" ")[0].split("(")[0].split(":")[0].strip()
            if name:
                names.append(name)
        if names:
            groups.append(names)
    return groups


def base(text: str) -> list[str]:
    """The raw stanzas of the base system, in the status file's order."""
    installed = {}
    provides: dict[str, list[str]] = {}
    for raw, fields in stanzas(text):
        if not fields.get("status", "").endswith(" installed"):
            continue
        name = fields["package"]
        installed[name] = (raw, fields)
        for virtual in relations(fields.get("provides", "")):
            provides.setdefault(virtual[0], []).append(name)
    wanted = [
        name
        for name, (_, fields) in installed.items()
        if fields.get("priority") == "required" or fields.get("essential") == "yes"
    ]
    keep: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in keep:
            continue
        keep.add(name)
        fields = installed[name][1]
        for field in ("pre-depends", "depends"):
            for group in relations(fields.get(field, "")):
                # The first alternative that is installed, by name or as a virtual package.
                for candidate in group:
                    real = [candidate] if candidate in installed else provides.get(candidate, [])
                    if real:
                        wanted.extend(real[:1])
                        break
    return [raw for name, (raw, _) in installed.items() if name in keep]


def main() -> None:
    """Read the status file named on the command line (or dpkg's) and print the base."""
    path = sys.argv[1] if len(sys.argv) > 1 else "/var/lib/dpkg/status"
    with open(path, encoding="utf-8") as handle:
        print("\n\n".join(base(handle.read())) + "\n")


if __name__ == "__main__":
    main()
