"""An order's time limit (办理时限) from the admins' rules in the process-wide reference data."""

from hotline.core.deadlines import limits
from hotline.core.orders.intake import OrderType
from hotline.services.reference.cache import CategoryRef, RoutingContext


def limit_for(
    ctx: RoutingContext, order_type: OrderType, category: CategoryRef, priority: str
) -> limits.Limit:
    """The time limit of an order of this type, category and priority."""
    return limits.resolve_limit(
        ctx.limit_rules,
        order_type,
        category.id,
        limits.Priority(priority),
        category.time_limit,
        category.time_limit_unit,
    )
