"""Extensions (延期): the states of a request and what a supervisor's decision records."""

from enum import StrEnum

from hotline.core.orders.audit_actions import AuditAction


class ExtensionState(StrEnum):
    """Where an extension request stands (`extension_requests.status`)."""

    PENDING = "pending"  # waiting for a supervisor
    APPROVED = "approved"  # the due time moved
    REFUSED = "refused"  # the due time stayed


# A supervisor's decision, as the last part of its URL, and the state it gives the request.
DECISIONS = {"approve": ExtensionState.APPROVED, "refuse": ExtensionState.REFUSED}

# How each decision is recorded on the order.
DECISION_AUDIT_ACTIONS = {
    ExtensionState.APPROVED: AuditAction.EXTENSION_APPROVE,
    ExtensionState.REFUSED: AuditAction.EXTENSION_REFUSE,
}
