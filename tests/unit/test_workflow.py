import pytest

from hotline.core.accounts.roles import Role
from hotline.core.orders.workflow import (
    TRANSITIONS,
    Action,
    State,
    TransitionError,
    apply,
    available_actions,
)


def test_the_closed_loop_in_order():
    state = State.REGISTERED
    state = apply(state, Action.ROUTE, Role.DESK)
    state = apply(state, Action.ACCEPT, Role.DEPARTMENT)
    state = apply(state, Action.REPLY, Role.DEPARTMENT, "已处理")
    assert apply(state, Action.APPROVE, Role.DESK) is State.CLOSED


def test_return_goes_back_to_the_desk_and_needs_a_reason():
    with pytest.raises(TransitionError) as err:
        apply(State.ROUTED, Action.RETURN, Role.DEPARTMENT, "  ")
    assert err.value.code == "note_required"
    assert apply(State.ROUTED, Action.RETURN, Role.DEPARTMENT, "非我单位职责") is State.RETURNED
    assert apply(State.RETURNED, Action.REROUTE, Role.DESK, "改派") is State.ROUTED


@pytest.mark.parametrize("state", [State.CLOSED, State.CLOSED_AT_INTAKE, State.CANCELLED])
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.REOPEN])
def test_final_states_allow_nothing_but_a_reopen(state, action):
    with pytest.raises(TransitionError) as err:
        apply(state, action, Role.SUPERVISOR, "note")
    assert err.value.code == "not_allowed_in_state"


def test_a_survey_reopens_closed_orders_with_the_callers_words():
    assert apply(State.CLOSED, Action.REOPEN, Role.SURVEYOR, "没解决") is State.ROUTED
    assert apply(State.CLOSED_AT_INTAKE, Action.REOPEN, Role.SURVEYOR, "不对") is State.REGISTERED
    with pytest.raises(TransitionError) as err:
        apply(State.CLOSED, Action.REOPEN, Role.SURVEYOR, " ")
    assert err.value.code == "note_required"
    with pytest.raises(TransitionError) as err:
        apply(State.CANCELLED, Action.REOPEN, Role.SURVEYOR, "x")
    assert err.value.code == "not_allowed_in_state"
    with pytest.raises(TransitionError):
        apply(State.CLOSED, Action.REOPEN, Role.DEPARTMENT, "x")


def test_wrong_role_is_an_error_not_a_no_op():
    with pytest.raises(TransitionError) as err:
        apply(State.ROUTED, Action.ACCEPT, Role.OPERATOR)
    assert err.value.code == "not_allowed_for_role"
    with pytest.raises(TransitionError):
        apply(State.REPLIED, Action.APPROVE, Role.DEPARTMENT)


def test_officials_can_do_nothing():
    for state in State:
        assert available_actions(state, Role.OFFICIAL) == []


def test_available_actions_match_the_table():
    for (state, action), transition in TRANSITIONS.items():
        for role in Role:
            assert (action in available_actions(state, role)) == (role in transition.roles)
