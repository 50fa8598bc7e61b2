"""The layering rules that can be checked by folder, and the repository's self-containment.

- Nothing under hotline/core/ imports Flask, Werkzeug, SQLAlchemy, the models, the services,
  the web layer, the Flask plugins, the database module or the label source (also not
  inside functions).
- Nothing in hotline/, tests/ or bench/ reads the project's sibling `shared` folder: a clone
  of the repository alone must pass its tests.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "hotline" / "core"

FORBIDDEN_IN_CORE = (
    "flask",
    "werkzeug",
    "flask_babel",
    "flask_login",
    "flask_wtf",
    "flask_migrate",
    "sqlalchemy",
    "alembic",
    "hotline.models",
    "hotline.services",
    "hotline.web",
    "hotline.plugins",
    "hotline.plugins",
    "hotline.database",
    # Outer modules too: the label source imports flask_babel, the others sit above core.
    "hotline.labels",
    "hotline.pdf",
    "hotline.jobs",
    "hotline.cli",
    "hotline.demo",
)


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(name + ".") for name in FORBIDDEN_IN_CORE)


def _imported_modules(source: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """Every module named by an import in `source` (at any depth), with its line number.

    `package` is the dotted package the source lives in, as parts. `from hotline import
    models` names `hotline.models` too; relative imports are resolved against `package`.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def _package_of(path: Path) -> tuple[str, ...]:
    return path.relative_to(ROOT).parts[:-1]


def _core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def test_core_files_are_found():
    assert len(_core_files()) > 10


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_core_imports_no_framework_and_no_outer_layer(path: Path):
    bad = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _imported_modules(path.read_text("utf-8"), _package_of(path))
        if _forbidden(module)
    ]
    assert not bad, "hotline/core must stay pure Python:\n" + "\n".join(bad)


def test_the_import_check_sees_nested_relative_and_from_imports():
    source = (
        "import json\n"
        "from hotline import models\n"
        "def f():\n"
        "    import sqlalchemy.orm\n"
        "    from ... import services\n"
        "    from ...web.helpers import x\n"
        "    from ..reports import kpi\n"
        "class C:\n"
        "    def g(self):\n"
        "        from flask import g\n"
    )
    modules = [m for _line, m in _imported_modules(source, ("hotline", "core", "orders"))]
    assert "hotline.core.reports.kpi" in modules
    assert sorted(m for m in modules if _forbidden(m)) == [
        "flask",
        "flask.g",
        "hotline.models",
        "hotline.services",
        "hotline.web.helpers",
        "hotline.web.helpers.x",
        "sqlalchemy.orm",
    ]
    assert "json" in modules
    assert "hotline" in modules


SIBLING_SHARED = re.compile(
    r"\.\./shared"  # a relative path to the sibling folder
    r"|parents?\[\d+\]\s*/\s*[\"']shared[\"']"  # Path(...).parents[n] / "shared"
    r"|\.parent\s*/\s*[\"']shared[\"']"  # Path(...).parent.parent / "shared"
    r"|[\"']\.\.[\"']\s*,\s*[\"']shared[\"']"  # os.path.join(..., "..", "shared")
    r"|\bshared/(?:DOMAIN|ARCHITECTURE|README|open311|seeds|hooks)\b"  # a file in that folder
)


# The sibling folder's name, so that these examples do not themselves name it to a grep.
SIBLING = "sha" + "red"


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (f'SCHEMAS = Path(__file__).resolve().parents[3] / "{SIBLING}" / "open311"', True),
        (f'json.load(open("../{SIBLING}/open311/service.json"))', True),
        ('os.path.join(ROOT, "..", "shared")', True),
        ('ROOT.parent / "shared" / "seeds"', True),
        ("(see shared/DOMAIN.md)", True),
        ("(see docs/DOMAIN.md)", False),
        ('SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "open311"', False),
        ('"""Small key/value settings shared by every process."""', False),
    ],
)
def test_the_shared_check_sees_the_ways_to_name_the_folder(line: str, found: bool):
    assert bool(SIBLING_SHARED.search(line)) is found


def _repository_files() -> list[Path]:
    files: list[Path] = []
    for folder in ("hotline", "tests", "bench"):
        for path in sorted((ROOT / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix in {".pyc", ".mo"}:
                continue
            if path == Path(__file__).resolve():
                continue  # this file names the pattern it looks for
            files.append(path)
    return files


def test_nothing_reads_the_sibling_shared_folder():
    bad = []
    for path in _repository_files():
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue  # binary data (fonts, images) cannot name a path
        for number, line in enumerate(text.splitlines(), start=1):
            if SIBLING_SHARED.search(line):
                bad.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not bad, "copy what is needed into the repository instead:\n" + "\n".join(bad)
