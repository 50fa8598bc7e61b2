"""Every action the audit trail records, as stored in `audit_events.action`."""

from enum import StrEnum

from hotline.core.orders.workflow import Action


class AuditAction(StrEnum):
    """One kind of audit event: the workflow's actions (same strings) and everything else."""

    CREATE = "create"  # 受理: the order was registered
    # The workflow's actions, one member each (`AuditAction(action)` converts).
    ROUTE = Action.ROUTE.value
    REROUTE = Action.REROUTE.value
    CANCEL = Action.CANCEL.value
    ACCEPT = Action.ACCEPT.value
    RETURN = Action.RETURN.value
    REPLY = Action.REPLY.value
    APPROVE = Action.APPROVE.value
    SEND_BACK = Action.SEND_BACK.value
    CLASSIFY = Action.CLASSIFY.value
    REOPEN = Action.REOPEN.value
    TRANSFER = Action.TRANSFER.value
    # Returned or transferred for the third time: a supervisor decides where it goes.
    REFER_TO_SUPERVISOR = "refer_to_supervisor"
    # Deadlines.
    ESCALATE = "escalate"  # the sweep raised the escalation level
    EXTENSION_REQUEST = "extension_request"  # 延期申请
    EXTENSION_APPROVE = "extension_approve"
    EXTENSION_REFUSE = "extension_refuse"
    REMIND_SET = "remind_set"  # 定时催办
    # Surveys (回访).
    SURVEY_SCHEDULED = "survey_scheduled"
    SURVEY_SKIPPED = "survey_skipped"  # confidential without consent, or no phone
    SURVEY_ANSWERED = "survey_answered"
    SURVEY_NOT_REACHED = "survey_not_reached"
    SURVEY_DECLINED = "survey_declined"
    SURVEY_LATER = "survey_later"
    # Supervision notices (督办单).
    NOTICE_ISSUED = "notice_issued"
    NOTICE_ANSWERED = "notice_answered"
    NOTICE_ESCALATED = "notice_escalated"
    NOTICE_WITHDRAWN = "notice_withdrawn"  # the order left the unit before it answered
    # Calls about an open order (追加诉求, 重复来电): a note on the order, never a new order.
    FOLLOW_UP_CALL = "follow_up_call"
    # Tasks: assistance (协办, 吹哨) and second-level dispatch (二级派单).
    TASK_ASSIST = "task_assist"  # the lead unit asked another unit to assist
    TASK_ASSIGN = "task_assign"  # the lead unit gave the work to a sub-unit or staff member
    TASK_ACCEPT = "task_accept"
    TASK_REPLY = "task_reply"
    TASK_DECLINE = "task_decline"
    TASK_WITHDRAW = "task_withdraw"
    TASK_OVERDUE = "task_overdue"  # the scheduler: a task past its due time, unanswered
    # Duplicate orders (并单): recorded on the merged order and on its master.
    MERGE = "merge"
    UNMERGE = "unmerge"
    # Attachments.
    ATTACH = "attach"  # photos or documents added (at intake, later, or as handling proof)
