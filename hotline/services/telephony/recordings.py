"""Calls' recordings: rtpengine's pcap of each recorded call, found by its Call-ID, played
as WAV (converted once, then kept beside it), every play in the security log, and deleted
after the retention period.

rtpengine names a call's file `<Call-ID, URI-escaped>-<16 hex digits>.pcap` under
`pcaps/` of its recording folder (docs/TELEPHONY.md, "Recordings").
"""

import re
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.security import SecurityKind
from hotline.core.telephony import audio
from hotline.database import write_transaction
from hotline.models import Call, User
from hotline.services.accounts import security_log
from hotline.services.errors import NotFound

_SUFFIX = re.compile(r"-[0-9a-f]{16}\.pcap\Z")


def recordings_folder(app) -> Path:
    """rtpengine's recording folder: TELEPHONY_RECORDINGS_DIR, else make pbx's."""
    configured = app.config.get("TELEPHONY_RECORDINGS_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "pbx" / "recordings"


def pcap_of(folder: Path, sip_call_id: str) -> Path | None:
    """The recording rtpengine wrote for a call, or None."""
    prefix = quote(sip_call_id, safe="")
    pcaps = folder / "pcaps"
    if not pcaps.is_dir():
        return None
    for path in pcaps.glob(prefix + "-*.pcap"):
        if path.name.startswith(prefix) and _SUFFIX.fullmatch(path.name[len(prefix) :]):
            return path
    return None


LINK_WINDOW = timedelta(hours=2)


def link_recent(session: Session, *, folder: Path, now: datetime) -> int:
    """The recordings of the calls answered and ended lately, named on their records (the
    records' page and the API show them before anyone plays one); how many were found."""
    calls = session.scalars(
        select(Call).where(
            Call.queued_at >= now - LINK_WINDOW,
            Call.answered_at.is_not(None),
            Call.ended_at.is_not(None),
            Call.recording.is_(None),
        )
    ).all()
    found = {call.id: pcap_of(folder, call.sip_call_id) for call in calls}
    named = {call_id: path.name for call_id, path in found.items() if path is not None}
    if named:
        with write_transaction(session):
            for call_id, name in named.items():
                session.get(Call, call_id).recording = name
    return len(named)


def may_play(user: User, call: Call) -> bool:
    """Supervisors (质检) play any call; an agent only the calls they answered."""
    if not allows(user.role, Permission.PLAY_RECORDINGS):
        return False
    return allows(user.role, Permission.READ_CALLS) or call.agent_id == user.id


def play(
    session: Session, *, user: User, call_id: int, folder: Path, now: datetime, ip: str = ""
) -> bytes:
    """The call's recording as WAV, for someone who may hear it; the play is logged.
    NotFound when the call, the recording or the right to hear it is missing."""
    call = session.get(Call, call_id)
    if call is None or not may_play(user, call):
        raise NotFound()
    pcap = pcap_of(folder, call.sip_call_id)
    if pcap is None:
        raise NotFound("no_recording")
    wav = _wav(pcap)
    with write_transaction(session):
        call = session.get(Call, call_id)
        call.recording = pcap.name
        security_log.record(
            session,
            SecurityKind.RECORDING_PLAYED,
            now=now,
            actor_id=user.id,
            ip=ip,
            detail=f"call {call.id} ({call.queue}), recording {pcap.name}",
        )
    return wav


def _wav(pcap: Path) -> bytes:
    cached = pcap.parent.parent / "wav" / (pcap.stem + ".wav")
    if cached.is_file() and cached.stat().st_mtime >= pcap.stat().st_mtime:
        return cached.read_bytes()
    wav = audio.to_wav(audio.rtp_packets(pcap.read_bytes()))
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{secrets.token_hex(4)}.part")  # two plays at once
    partial.write_bytes(wav)
    partial.replace(cached)  # a reader never sees half a file
    return wav


def delete_expired(folder: Path, *, now: datetime, days: int) -> int:
    """Delete recordings (and their WAV copies) older than `days`; how many went."""
    limit = (now - timedelta(days=days)).timestamp()
    gone = 0
    for sub in ("pcaps", "wav"):
        directory = folder / sub
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                gone += sub == "pcaps"
    return gone
