"""The readiness checks a host answers for (one word each, labelled in hotline/labels)."""

from enum import StrEnum


class HealthCheck(StrEnum):
    """What /readyz checks before the load balancer sends this host requests."""

    DATABASE = "database"  # the database answers
    MIGRATIONS = "migrations"  # its schema is the revision this code expects
    SCHEDULER = "scheduler"  # a scheduler leads and its heartbeat is recent
