"""The coded lists of the patient record: chief-complaint categories and preliminary
diagnoses (ICD-10), read from the CSV files in data/ (their source is in data/NOTICE.md)."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hotline.core.ems.vocabulary import Capability

LIST_VERSION = "2026.1"
DATA = Path(__file__).resolve().parent / "data"
# The capabilities a pre-alert flags: a chest-pain or a stroke centre prepares before arrival.
FLAGGED = frozenset({Capability.CHEST_PAIN.value, Capability.STROKE.value})


@dataclass(frozen=True)
class Code:
    """One entry of a coded list."""

    code: str
    zh: str
    en: str
    capability: str  # a Capability value, or ""


def _read(name: str) -> tuple[Code, ...]:
    """The rows of one data file; '#' lines are its header comment (source and version)."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        codes = tuple(
            Code(row["code"].strip(), row["zh"].strip(), row["en"].strip(), row["capability"])
            for row in rows
        )
    for entry in codes:
        if entry.capability:
            Capability(entry.capability)  # a misspelt capability fails at load, not later
    return codes


@cache
def _complaints() -> tuple[Code, ...]:
    return _read("complaints.csv")


@cache
def _diagnoses() -> tuple[Code, ...]:
    return _read("diagnoses.csv")


@cache
def _by_code(kind: str) -> dict[str, Code]:
    rows = _complaints() if kind == "complaints" else _diagnoses()
    return {entry.code: entry for entry in rows}


def complaints() -> list[Code]:
    """The chief-complaint categories, in list order."""
    return list(_complaints())


def diagnoses() -> list[Code]:
    """The preliminary diagnoses, in list order."""
    return list(_diagnoses())


def complaint(code: str) -> Code | None:
    """The complaint category with this code, or None."""
    return _by_code("complaints").get(code)


def diagnosis(code: str) -> Code | None:
    """The diagnosis with this ICD-10 code, or None."""
    return _by_code("diagnoses").get(code)


def flags(complaint_code: str, diagnosis_code: str) -> frozenset[str]:
    """The pre-alert capabilities (chest_pain, stroke) the complaint or diagnosis points to."""
    found = {
        entry.capability
        for entry in (complaint(complaint_code), diagnosis(diagnosis_code))
        if entry is not None
    }
    return frozenset(found & FLAGGED)
