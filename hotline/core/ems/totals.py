"""The 120 director's period totals (the rows of the statistics' first table)."""

from enum import StrEnum


class Total(StrEnum):
    """A total of the incidents called in a period and what hangs on them."""

    INCIDENTS = "incidents"
    LINKED = "linked"  # 联动: sent by a linked centre
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    OPEN = "open"
    TRIPS = "trips"
    KILOMETRES = "kilometres"
