"""120 vocabulary: hospital capabilities, triage levels, withdrawal reasons, targets."""

from enum import StrEnum


class Capability(StrEnum):
    """What a receiving hospital can treat (the complaint's needed capability)."""

    CHEST_PAIN = "chest_pain"  # 胸痛中心
    STROKE = "stroke"  # 卒中中心
    TRAUMA = "trauma"  # 创伤中心
    PAEDIATRICS = "paediatrics"  # 儿科
    OBSTETRICS = "obstetrics"  # 产科
    BURNS = "burns"  # 烧伤


class WithdrawReason(StrEnum):
    """Why an incident is withdrawn (撤警)."""

    FALSE_ALARM = "false_alarm"
    MALICIOUS = "malicious"
    DUPLICATE = "duplicate"


TRIAGE_LEVELS = (1, 2, 3, 4)  # 1: life-threatening ... 4: non-urgent
DISPATCH_TARGET_SECONDS = 180  # 95% of ambulances out within 3 minutes of the call
DEFAULT_SPEED_KMH = 40.0  # urban average for the arrival estimate
DEFAULT_DETOUR_FACTOR = 1.3  # road distance over great-circle distance


class IncidentState(StrEnum):
    """Where a 120 incident stands (stored in incidents.state)."""

    OPEN = "open"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"  # 撤警


class BookingState(StrEnum):
    """Where a scheduled transport (约车) stands (stored in bookings.state)."""

    PENDING = "pending"
    DISPATCHED = "dispatched"


class IncidentAction(StrEnum):
    """What an incident's trail records (stored in incident_events.action)."""

    CREATE = "create"
    DISPATCH = "dispatch"
    RELEASE = "release"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    ACKNOWLEDGE = "acknowledge"  # 接单: the crew took the job on its terminal
    ACK_OVERDUE = "ack_overdue"  # the crew did not acknowledge in time: the dispatcher alerted
    REASSIGN = "reassign"  # the job taken from one vehicle and given to another
    HOSPITAL_CHOSEN = "hospital_chosen"  # the destination hospital set or changed
    HOSPITAL_ACKNOWLEDGED = "hospital_acknowledged"  # the receiving hospital saw the pre-alert
    PATIENT_RECORDED = "patient_recorded"  # a patient record opened on the incident
    STATUS_AVAILABLE = "status_available"
    STATUS_DISPATCHED = "status_dispatched"
    STATUS_EN_ROUTE = "status_en_route"
    STATUS_ON_SCENE = "status_on_scene"
    STATUS_TRANSPORTING = "status_transporting"
    STATUS_AT_HOSPITAL = "status_at_hospital"
    STATUS_RETURNING = "status_returning"
    STATUS_OUT_OF_SERVICE = "status_out_of_service"

    @classmethod
    def for_status(cls, status: str) -> "IncidentAction":
        """The action recording a vehicle's move to `status` (a VehicleStatus value)."""
        return cls(f"status_{status}")
