"""The label registry: every enum's members mapped to translatable text, in one place.

Pages, PDFs and sheets all read labels from here. Labels are keyed by the enum class and
the member's value, because members of different enums share values ("dispatched" is a
vehicle status and a booking state).
"""

from enum import Enum

from flask_babel import force_locale

_REGISTRY: dict[type[Enum], dict] = {}


def register(enum: type[Enum], labels: dict) -> dict:
    """Record the labels of `enum`'s members; return them keyed by value (for templates).

    Keys may be members or stored values; a key that is no member raises ValueError at
    import, so a renamed member cannot keep a stale label.
    """
    by_value = {enum(key).value: text for key, text in labels.items()}
    _REGISTRY[enum] = by_value
    return by_value


def registered() -> dict[type[Enum], dict]:
    """Every enum with labels, and its labels keyed by member value."""
    return dict(_REGISTRY)


def label(member: Enum) -> str:
    """The member's label in the current language."""
    return str(_REGISTRY[type(member)][member.value])


def label_of(enum: type[Enum], value, default: str = "") -> str:
    """The label of the member of `enum` with this stored value (`default` if none)."""
    text = _REGISTRY[enum].get(value)
    return default if text is None else str(text)


def chinese(enum: type[Enum], value, default: str = "") -> str:
    """The label in Chinese whatever the user's language (for reports, which are Chinese)."""
    with force_locale("zh"):
        return label_of(enum, value, default)
