"""Labels of the 12345 order loop: states, actions, types, channels, routing."""

from flask_babel import lazy_gettext as _l

from hotline.core.orders.attachments import AttachmentKind, MediaType
from hotline.core.orders.audit_actions import AuditAction
from hotline.core.orders.intake import Channel, OrderType
from hotline.core.orders.tasks import TaskAction, TaskKind, TaskState
from hotline.core.orders.workflow import Action, Arbitration, State
from hotline.labels.registry import register

STATE_LABELS = register(
    State,
    {
        "registered": _l("Awaiting dispatch"),
        "routed": _l("Routed to a unit"),
        "accepted": _l("Accepted"),
        "returned": _l("Returned"),
        "replied": _l("Replied"),
        "closed": _l("Closed"),
        "closed_at_intake": _l("Closed at intake"),
        "cancelled": _l("Cancelled"),
    },
)


WORKFLOW_ACTION_LABELS = register(
    Action,
    {
        "route": _l("Dispatch"),
        "reroute": _l("Re-route"),
        "cancel": _l("Cancel"),
        "accept": _l("Accept"),
        "return": _l("Return"),
        "reply": _l("Reply"),
        "approve": _l("Approve and close"),
        "send_back": _l("Send back"),
        "classify": _l("Classify and route"),
        "reopen": _l("Reopen"),
        "transfer": _l("Transfer to another unit"),
    },
)

# Every action the audit trail records: the workflow's, and what services and jobs do.
ACTION_LABELS = register(
    AuditAction,
    {
        "create": _l("Registered"),
        **WORKFLOW_ACTION_LABELS,
        "escalate": _l("Escalated"),
        "extension_request": _l("Extension requested"),
        "extension_approve": _l("Extension approved"),
        "extension_refuse": _l("Extension refused"),
        "remind_set": _l("Reminder set"),
        "survey_scheduled": _l("Survey scheduled"),
        "survey_skipped": _l("No survey (confidential, no consent, or no phone)"),
        "survey_answered": _l("Survey: answered"),
        "survey_not_reached": _l("Survey: not reached"),
        "survey_declined": _l("Survey: declined"),
        "survey_later": _l("Survey: call again later"),
        "attach": _l("Attachments added"),
        "follow_up_call": _l("Follow-up call"),
        "notice_issued": _l("Supervision notice issued"),
        "notice_answered": _l("Supervision notice answered"),
        "notice_escalated": _l("Supervision notice overdue: raised to officials"),
        "notice_withdrawn": _l("Supervision notice withdrawn: the order left the unit"),
        "refer_to_supervisor": _l("Sent round too often: a supervisor decides the unit"),
        "task_assist": _l("Assistance requested"),
        "task_assign": _l("Assigned within the unit"),
        "task_accept": _l("Task accepted"),
        "task_reply": _l("Task replied"),
        "task_decline": _l("Task declined"),
        "task_withdraw": _l("Task withdrawn"),
        "task_overdue": _l("Task overdue: holder and lead unit reminded"),
        "merge": _l("Merged (duplicate order)"),
        "unmerge": _l("Merge undone"),
    },
)

ARBITRATION_LABELS = register(
    Arbitration,
    {
        "": _l("None"),
        "pending": _l("Waiting for a supervisor's decision (裁定)"),
        "decided": _l("Unit decided by a supervisor"),
    },
)
TASK_KIND_LABELS = register(
    TaskKind,
    {"assist": _l("Assistance (协办)"), "assign": _l("Second-level dispatch (二级派单)")},
)
TASK_STATE_LABELS = register(
    TaskState,
    {
        "open": _l("Waiting for acceptance"),
        "accepted": _l("Accepted"),
        "replied": _l("Replied"),
        "declined": _l("Declined"),
        "withdrawn": _l("Withdrawn"),
    },
)
TASK_ACTION_LABELS = register(
    TaskAction,
    {
        "accept": _l("Accept the task"),
        "reply": _l("Reply to the lead unit"),
        "decline": _l("Decline: not ours"),
        "withdraw": _l("Withdraw the task"),
    },
)


TYPE_LABELS = register(
    OrderType,
    {
        "inquiry": _l("Inquiry"),
        "help": _l("Help request"),
        "complaint": _l("Complaint"),
        "tip_off": _l("Report"),
        "suggestion": _l("Suggestion"),
        "praise": _l("Praise"),
    },
)


CHANNEL_LABELS = register(
    Channel,
    {
        "phone": _l("Phone"),
        "web": _l("Web"),
        "letter": _l("Letter"),
        "email": _l("Email"),
        "sms": _l("SMS"),
        "app": _l("App"),
        "api": _l("API"),
    },
)


KIND_LABELS = {
    "urban_management": _l("Urban management"),
    "housing": _l("Housing and construction"),
    "market": _l("Market regulation"),
    "environment": _l("Ecology and environment"),
    "transport": _l("Transport"),
    "water": _l("Water affairs"),
    "hrss": _l("Human resources and social security"),
    "education": _l("Education"),
    "health": _l("Health"),
    "civil_affairs": _l("Civil affairs"),
    "police": _l("Police (non-emergency)"),
    "government": _l("District government office"),
    "subway": _l("Subway operator"),
    "water_utility": _l("Water utility"),
    "heating_utility": _l("Heating utility"),
    "gas_utility": _l("Gas utility"),
    "power_utility": _l("Power utility"),
    "street_office": _l("Sub-district or town (属地)"),
}


REASON_LABELS = {
    "explicit_rule_district": _l("an explicit rule for this category in this district"),
    "explicit_rule_city": _l("an explicit rule for this category"),
    "city_level_kind": _l("the category is handled by a city-level body"),
    "district_kind": _l("the category's responsible body in the district of the location"),
    "street_kind": _l("handled where it happens: the sub-district or town of the location"),
    "no_street": _l(
        "handled where it happens, but the sub-district or town is not known: the desk decides"
    ),
    "no_location": _l("no location: the desk decides"),
    "no_department": _l("no responsible body in that district: the desk decides"),
    "no_category_kind": _l("the category has no responsible body: the desk decides"),
    "outside_all_jurisdictions": _l("the location is outside every district: routed by hand"),
    "manual": _l("routed by hand"),
    "transfer": _l("transferred by the previous unit under an admin rule"),
    "warning": _l("deadline near"),
    "reminder": _l("overdue: the department is reminded"),
    "supervision": _l("overdue for over a day: under supervision"),
    "official": _l("overdue for over three days: raised to officials"),
}


ATTACHMENT_KIND_LABELS = register(
    AttachmentKind,
    {"intake": _l("Attachments at intake"), "proof": _l("Handling proof")},
)
MEDIA_TYPE_LABELS = register(
    MediaType,
    {
        "image/jpeg": _l("JPEG image"),
        "image/png": _l("PNG image"),
        "image/webp": _l("WebP image"),
        "application/pdf": _l("PDF document"),
    },
)
