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
