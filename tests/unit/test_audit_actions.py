"""One enum for every audit action: the workflow's actions under the same strings."""

from hotline.core.deadlines.extensions import DECISION_AUDIT_ACTIONS, DECISIONS
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.workflow import Action
from hotline.core.surveys.rules import Outcome


def test_every_workflow_action_is_an_audit_action_with_the_same_string():
    for action in Action:
        assert AuditAction(action).value == action.value


def test_survey_outcomes_and_extension_decisions_have_their_audit_actions():
    assert {o.audit_action for o in Outcome} == {
        AuditAction.SURVEY_ANSWERED,
        AuditAction.SURVEY_NOT_REACHED,
        AuditAction.SURVEY_DECLINED,
        AuditAction.SURVEY_LATER,
    }
    decisions = {name: DECISION_AUDIT_ACTIONS[state] for name, state in DECISIONS.items()}
    assert decisions == {"approve": "extension_approve", "refuse": "extension_refuse"}
