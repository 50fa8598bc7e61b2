"""A side-by-side comparison of two versions of an article, field by field (difflib).

Every piece of text in the result is plain text: the template escapes it as it prints it,
so an answer holding `<script>` shows as those characters, never as markup.
"""

from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Row:
    """One line of the comparison: `kind` is "same", "changed", "added" or "removed";
    `left` / `right` the line in the older / newer version ("" where there is none)."""

    kind: str
    left: str
    right: str


@dataclass(frozen=True)
class FieldDiff:
    """The comparison of one field; `changed` False when both versions agree."""

    field: str
    rows: tuple[Row, ...]
    changed: bool


def lines(old: str, new: str) -> tuple[Row, ...]:
    """`old` and `new` side by side, line by line."""
    a, b = (old or "").splitlines(), (new or "").splitlines()
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows.extend(Row("same", x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True))
        elif tag == "delete":
            rows.extend(Row("removed", x, "") for x in a[i1:i2])
        elif tag == "insert":
            rows.extend(Row("added", "", y) for y in b[j1:j2])
        else:
            left, right = a[i1:i2], b[j1:j2]
            for k in range(max(len(left), len(right))):
                rows.append(
                    Row(
                        "changed",
                        left[k] if k < len(left) else "",
                        right[k] if k < len(right) else "",
                    )
                )
    return tuple(rows)


def compare(old: dict[str, str], new: dict[str, str]) -> list[FieldDiff]:
    """Each field of `new` (in its order) compared with the same field of `old`."""
    return [
        FieldDiff(name, lines(old.get(name, ""), value), old.get(name, "") != value)
        for name, value in new.items()
    ]
