"""The category tree: paths, descendants, and creating a path as needed (inside a write)."""

import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import KbCategory


@dataclass(frozen=True)
class Node:
    """A category with its path of names from the root."""

    id: int
    parent_id: int | None
    name: str
    position: int
    path: tuple[str, ...]

    @property
    def label(self) -> str:
        """The path as shown: 社会保障 / 社保卡."""
        return " / ".join(self.path)


# Categories are only ever added (never renamed, moved or removed): their count and newest
# id, read on every call, tell any process at once that the tree changed.
_TTL = 30.0
_cache: dict[tuple, tuple[float, dict[int, "Node"]]] = {}


def tree(session: Session) -> dict[int, Node]:
    """Every category by id, in tree order (parents before children, by position, name).
    Kept for a few seconds, and read again at once when a category is added or removed."""
    count, last = session.execute(select(func.count(), func.max(KbCategory.id))).one()
    key = (str(session.get_bind().url), count, last)
    cached = _cache.get(key)
    if cached and time.monotonic() - cached[0] < _TTL:
        return cached[1]
    nodes = _read(session)
    _cache.clear()
    _cache[key] = (time.monotonic(), nodes)
    return nodes


def _read(session: Session) -> dict[int, Node]:
    rows = session.execute(
        select(KbCategory.id, KbCategory.parent_id, KbCategory.name, KbCategory.position)
    ).all()
    children: dict[int | None, list] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    nodes: dict[int, Node] = {}

    def walk(parent: int | None, path: tuple[str, ...]) -> None:
        for row in sorted(children.get(parent, []), key=lambda r: (r.position, r.name, r.id)):
            node = Node(row.id, row.parent_id, row.name, row.position, (*path, row.name))
            nodes[row.id] = node
            walk(row.id, node.path)

    walk(None, ())
    return nodes


def descendants(nodes: dict[int, Node], category_id: int) -> set[int]:
    """`category_id` and every category under it."""
    found = {category_id}
    changed = True
    while changed:
        more = {n.id for n in nodes.values() if n.parent_id in found} - found
        changed = bool(more)
        found |= more
    return found


def ensure_path(session: Session, path: tuple[str, ...]) -> int:
    """The id of the category at `path`, creating what is missing (caller's transaction)."""
    parent: int | None = None
    for name in path:
        found = session.scalar(
            select(KbCategory.id).where(
                KbCategory.parent_id.is_(None)
                if parent is None
                else KbCategory.parent_id == parent,
                KbCategory.name == name,
            )
        )
        if found is None:
            category = KbCategory(parent_id=parent, name=name, position=0)
            session.add(category)
            session.flush()
            found = category.id
        parent = found
    assert parent is not None
    return parent
