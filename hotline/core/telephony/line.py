"""The line's settings and the distribution's answers to Kamailio."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from hotline.core.telephony.agents import Skill

SUPERVISOR_QUEUE = "supervisor"  # calls of a number under a lock set "to a supervisor"


@dataclass(frozen=True)
class LineSettings:
    """What a centre sets for its line (TELEPHONY_* in the configuration)."""

    realm: str = "hotline"  # the SIP digest realm Kamailio challenges with
    # Dialled number -> the queue (skill) that answers it.
    queues: dict[str, Skill] = field(
        default_factory=lambda: {"12345": Skill.HOTLINE, "120": Skill.EMS}
    )
    ring_seconds: int = 15  # an agent's phone rings this long, then the next agent's
    after_call_seconds: int = 30  # 话后处理, then ready again
    queue_max: int = 50  # calls waiting per queue; the next is refused (busy)
    retry_ms: int = 500  # how often a waiting call asks again
    short_abandon_seconds: int = 5  # abandons sooner than this are left out of the figures

    @classmethod
    def from_config(cls, config: Mapping) -> "LineSettings":
        """The settings from the app's TELEPHONY_* configuration."""
        return cls(
            realm=config["TELEPHONY_REALM"],
            ring_seconds=config["TELEPHONY_RING_SECONDS"],
            after_call_seconds=config["TELEPHONY_AFTER_CALL_SECONDS"],
            queue_max=config["TELEPHONY_QUEUE_MAX"],
            retry_ms=config["TELEPHONY_RETRY_MS"],
            short_abandon_seconds=config["TELEPHONY_SHORT_ABANDON_SECONDS"],
        )


@dataclass(frozen=True)
class Decision:
    """What Kamailio does with a call now: ring an extension, wait, or reject."""

    action: str  # "ring", "wait", "reject"
    extension: str = ""
    ring_seconds: int = 0
    retry_ms: int = 0
    position: int = 0
    code: int = 0
    reason: str = ""

    def as_json(self) -> dict:
        """The answer's body, with only the fields its action uses."""
        if self.action == "ring":
            return {
                "action": "ring",
                "extension": self.extension,
                "ring_seconds": self.ring_seconds,
            }
        if self.action == "wait":
            return {"action": "wait", "retry_ms": self.retry_ms, "position": self.position}
        return {"action": "reject", "code": self.code, "reason": self.reason}


def ring(extension: str, settings: LineSettings) -> Decision:
    """Ring this extension for the set time."""
    return Decision("ring", extension=extension, ring_seconds=settings.ring_seconds)


def wait(position: int, settings: LineSettings) -> Decision:
    """Keep the call queued at `position` and ask again soon."""
    return Decision("wait", retry_ms=settings.retry_ms, position=position)


def reject(code: int, reason: str) -> Decision:
    """Answer the caller with a SIP failure."""
    return Decision("reject", code=code, reason=reason)


def digest_ha1(extension: str, realm: str, password: str) -> str:
    """The SIP digest's HA1 (RFC 2617): md5 of "extension:realm:password"."""
    text = f"{extension}:{realm}:{password}".encode()
    return hashlib.md5(text, usedforsecurity=False).hexdigest()
