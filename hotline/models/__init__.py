"""SQLAlchemy models, one module per aggregate."""

from hotline.models.api import ApiClient, CategoryAttribute, IdempotencyRecord, RateCounter
from hotline.models.attachments import Attachment
from hotline.models.audit import AuditEvent
from hotline.models.calendar import CalendarOverride
from hotline.models.duplicates import DuplicateRule, OrderMerge
from hotline.models.ems import (
    Assignment,
    Booking,
    Bulletin,
    Hospital,
    Incident,
    IncidentEvent,
    MaliciousNumber,
    Patient,
    PatientEntry,
    Station,
    TerminalReceipt,
    Vehicle,
    VehiclePosition,
)
from hotline.models.extension_requests import ExtensionRequest
from hotline.models.hotspots import Hotspot, HotspotOrder
from hotline.models.kb import (
    KbArticle,
    KbCategory,
    KbEvent,
    KbGap,
    KbSearch,
    KbSynonym,
    KbTerm,
    KbVersion,
)
from hotline.models.limits import TimeLimitRule
from hotline.models.notices import SupervisionNotice
from hotline.models.notifications import Notification
from hotline.models.organisation import (
    Category,
    Department,
    District,
    RoutingRule,
    TransferRule,
)
from hotline.models.places import Place, PlaceCandidate, PlaceKey
from hotline.models.reminders import Reminder
from hotline.models.scheduling import ErrorRecord, SchedulerJob, SchedulerLeader
from hotline.models.security import LoginSession, LoginThrottle, SecurityEvent
from hotline.models.settings import AppSetting
from hotline.models.surveys import Survey
from hotline.models.tasks import OrderTask
from hotline.models.telephony import Agent, Call
from hotline.models.users import User
from hotline.models.workorders import OrderSequence, WorkOrder

__all__ = [
    "Agent",
    "Call",
    "DuplicateRule",
    "OrderMerge",
    "Attachment",
    "Hotspot",
    "HotspotOrder",
    "OrderTask",
    "Place",
    "PlaceCandidate",
    "PlaceKey",
    "TransferRule",
    "KbArticle",
    "KbCategory",
    "KbEvent",
    "KbGap",
    "KbSearch",
    "KbSynonym",
    "KbTerm",
    "KbVersion",
    "Booking",
    "Bulletin",
    "MaliciousNumber",
    "VehiclePosition",
    "Patient",
    "PatientEntry",
    "TerminalReceipt",
    "Assignment",
    "Hospital",
    "Incident",
    "IncidentEvent",
    "Station",
    "Vehicle",
    "ApiClient",
    "CategoryAttribute",
    "IdempotencyRecord",
    "RateCounter",
    "Reminder",
    "SchedulerJob",
    "SchedulerLeader",
    "ErrorRecord",
    "LoginSession",
    "LoginThrottle",
    "SecurityEvent",
    "AppSetting",
    "AuditEvent",
    "CalendarOverride",
    "Survey",
    "Category",
    "Department",
    "District",
    "ExtensionRequest",
    "Notification",
    "SupervisionNotice",
    "OrderSequence",
    "RoutingRule",
    "TimeLimitRule",
    "User",
    "WorkOrder",
]
