"""Labels of the operations side: the readiness checks."""

from flask_babel import lazy_gettext as _l

from hotline.core.maintenance.health import HealthCheck
from hotline.labels.registry import register

HEALTH_CHECK_LABELS = register(
    HealthCheck,
    {
        HealthCheck.DATABASE: _l("Database reachable"),
        HealthCheck.MIGRATIONS: _l("Database schema current"),
        HealthCheck.SCHEDULER: _l("Scheduler leading"),
    },
)
