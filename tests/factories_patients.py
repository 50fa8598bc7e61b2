"""Factories for the patient-record tests: a dispatched job with its hospital, ids only."""

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.models import Assignment
from hotline.plugins import db
from hotline.services.ems import terminals
from tests import factories
from tests import factories_hospitals as hf
from tests.factories import NOW, TIANANMEN


def job(seed: int = 1) -> dict:
    """A vehicle dispatched at NOW to a chest-pain incident, heading for a hospital; ids and
    the terminal's token."""
    [vehicle_id] = factories.ambulances(1, name=f"病历测试急救站{seed}（合成）", seed=seed)
    dispatcher = factories.user(Role.EMS_DISPATCHER)
    hospital = hf.hospital(f"病历测试医院{seed}（合成）", TIANANMEN[0] + 0.01, TIANANMEN[1])
    incident = factories.dispatched_incident(dispatcher, vehicle_id, NOW, NOW)
    assignment = db.session.scalar(select(Assignment).where(Assignment.incident_id == incident.id))
    assignment.hospital_id = hospital.id
    db.session.commit()
    token = terminals.issue_terminal_token(db.session, vehicle_id, now=NOW)
    return {
        "token": token,
        "vehicle_id": vehicle_id,
        "job_id": assignment.id,
        "incident_id": incident.id,
        "incident_number": incident.number,
        "hospital_id": hospital.id,
        "dispatcher_id": dispatcher.id,
    }
