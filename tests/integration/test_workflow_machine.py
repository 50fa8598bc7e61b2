"""A hypothesis state machine over the real services.

Only allowed transitions happen, and each writes exactly one audit row.
"""

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from hotline.core.accounts.roles import Role
from hotline.core.orders import workflow
from hotline.core.orders.workflow import Action, State
from hotline.models import AuditEvent, WorkOrder
from hotline.plugins import db
from hotline.services.errors import NotFound, ValidationFailed
from tests import factories
from tests.conftest import make_app

ACTING_ROLES = [Role.DESK, Role.DEPARTMENT, Role.OPERATOR, Role.OFFICIAL]


@pytest.fixture(scope="module")
def machine_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("machine")
    app = make_app(f"sqlite:///{folder / 'machine.db'}", folder / "instance")
    with app.app_context():
        users = {
            Role.DESK: factories.user(Role.DESK),
            Role.DEPARTMENT: factories.user(Role.DEPARTMENT, "东城区城市管理委员会"),
            Role.OPERATOR: factories.user(Role.OPERATOR),
            Role.OFFICIAL: factories.user(Role.OFFICIAL),
        }
        ids = {role: u.id for role, u in users.items()}
        home = factories.department("东城区城市管理委员会").id
    return app, ids, home


def test_only_allowed_transitions_each_audited_once(machine_app):
    app, user_ids, home = machine_app

    class OrderMachine(RuleBasedStateMachine):
        @initialize()
        def new_order(self):
            self.ctx = app.app_context()
            self.ctx.push()
            self.order = factories.order()
            self.state = State(self.order.state)
            self.audits = 1

        def teardown(self):
            db.session.remove()
            self.ctx.pop()

        @rule(
            action=st.sampled_from(list(Action)),
            role=st.sampled_from(ACTING_ROLES),
            note=st.sampled_from(["", "理由"]),
        )
        def try_action(self, action, role, note):
            transition = workflow.TRANSITIONS.get((self.state, action))
            allowed = (
                transition is not None
                and role in transition.roles
                and (note or not transition.note_required)
            )
            try:
                factories.act(_actor(role), self.order.number, action, note, department_id=home)
            except ValidationFailed as exc:
                # The desk may not re-dispatch to the department that already has the order.
                same = exc.errors.get("department_id") == "same_department"
                # Classifying needs a category, which this machine does not send.
                no_category = exc.errors.get("category_code") == "required"
                # No admin rule lets the home department transfer to itself.
                no_rule = exc.errors.get("department_id") == "transfer_not_allowed"
                # Sent round three times: a supervisor decides, and the unit keeps it then.
                arbitrated = exc.errors.get("action") in {
                    "supervisor_decides",
                    "decided_by_supervisor",
                }
                assert not allowed or same or no_category or no_rule or arbitrated
                return
            except NotFound:
                # Department staff see only orders that are with their department.
                department_id = db.session.scalar(
                    select(WorkOrder.department_id).where(WorkOrder.id == self.order.id)
                )
                assert role is Role.DEPARTMENT and department_id != home
                return
            assert allowed
            self.state = transition.to
            self.audits += 1
            arbitration = db.session.scalar(
                select(WorkOrder.arbitration).where(WorkOrder.id == self.order.id)
            )
            if action in workflow.HOPS and arbitration == "pending":
                self.state = State.RETURNED  # the third hop goes to a supervisor instead

        @invariant()
        def database_agrees(self):
            if not hasattr(self, "order"):
                return
            stored = db.session.scalar(select(WorkOrder.state).where(WorkOrder.id == self.order.id))
            # A closure also notes whether a survey was scheduled (survey_scheduled or
            # survey_skipped), a third hop its referral: consequences, not transitions.
            count = db.session.scalar(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.order_id == self.order.id,
                    AuditEvent.action.not_in(
                        ["survey_scheduled", "survey_skipped", "refer_to_supervisor"]
                    ),
                )
            )
            assert stored == self.state.value
            assert count == self.audits

    def _actor(role):
        return db.session.get(factories.User, user_ids[role])

    OrderMachine.TestCase.settings = settings(
        max_examples=30,
        stateful_step_count=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    OrderMachine.TestCase().runTest()
