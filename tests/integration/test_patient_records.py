"""The patient record (院前急救病历) through its services: sealed at rest, written by the
crew's job with compare-and-set, read in full by 120 staff and the receiving hospital only,
every read in the security log."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, text

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.models import Assignment, IncidentEvent, SecurityEvent
from hotline.plugins import db
from hotline.services.ems import patient_records, patients
from hotline.services.errors import Conflict, NotFound, ValidationFailed
from tests import factories, factories_patients
from tests import factories_hospitals as hf
from tests.factories import NOW

NAME, HISTORY, REASON = "王秘密", "胸骨后压榨样疼痛两小时", "家属要求自行前往"
LATER = NOW + timedelta(minutes=30)


@contextmanager
def _selects():
    """The SELECT statements run inside the block."""
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _write(world) -> int:
    """A patient with vitals and a medication, then a hand-over; the patient's id."""
    ids = {"vehicle_id": world["vehicle_id"], "job_id": world["job_id"]}
    patient = patients.create_patient(
        db.session,
        **ids,
        data={"name": NAME, "sex": "male", "age_years": 63, "history": HISTORY,
              "complaint_code": "C01", "diagnosis_code": "I21.9"},
        now=NOW + timedelta(minutes=10),
    )  # fmt: skip
    for minutes, pulse in ((12, 110), (20, 96)):
        patients.add_entry(
            db.session,
            **ids,
            patient_id=patient.id,
            data={"kind": "vitals", "at": (NOW + timedelta(minutes=minutes)).isoformat(),
                  "sbp": 150, "dbp": 95, "pulse": pulse, "spo2": 94, "phase": "scene"},
            now=LATER,
        )  # fmt: skip
    patients.add_entry(
        db.session,
        **ids,
        patient_id=patient.id,
        data={"kind": "medication", "at": (NOW + timedelta(minutes=14)).isoformat(),
              "text": "阿司匹林嚼服", "dose": "300 mg"},
        now=LATER,
    )  # fmt: skip
    return patient.id


def test_the_record_is_sealed_at_rest_and_read_back_whole(any_app):
    with any_app.app_context():
        world = factories_patients.job()
        patient_id = _write(world)
        raw = "\n".join(
            str(row)
            for table in ("patients", "patient_entries")
            for row in db.session.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
        )
        for secret in (NAME, HISTORY, "阿司匹林", "300 mg", "110"):
            assert secret not in raw
        assert "I21.9" in raw and "C01" in raw  # the codes stay plain for the statistics

        record = patient_record = patient_records.read_record(
            db.session, patient_id, actor_id=world["dispatcher_id"], ip="10.0.0.9", now=LATER,
            via="page",
        )  # fmt: skip
        assert record.fields.name == NAME and record.fields.history == HISTORY
        assert [e.kind for e in record.entries] == ["vitals", "medication", "vitals"]
        assert record.entries[1].values == {"text": "阿司匹林嚼服", "dose": "300 mg"}
        assert patient_record.flags == {"chest_pain"}
        assert record.entries[-1].values["pulse"] == 96  # the latest vital signs
        log = db.session.scalars(
            select(SecurityEvent).where(
                SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value
            )
        ).all()
        assert [(e.actor_id, e.ip) for e in log] == [(world["dispatcher_id"], "10.0.0.9")]
        assert f"patient #{patient_id}" in log[0].detail and NAME not in log[0].detail
        trail = db.session.scalars(
            select(IncidentEvent).where(IncidentEvent.action == "patient_recorded")
        ).all()
        assert [(e.incident_id, e.vehicle_id) for e in trail] == [
            (world["incident_id"], world["vehicle_id"])
        ]


def test_updates_compare_and_set_and_times_follow_the_job(app):
    with app.app_context():
        world = factories_patients.job()
        patient_id = _write(world)
        ids = {"vehicle_id": world["vehicle_id"], "job_id": world["job_id"]}

        def update(data, version, now=LATER):
            return patients.update_patient(
                db.session, **ids, patient_id=patient_id, data=data, version=version, now=now
            )

        changed = update({"refusal": "transport", "refusal_reason": REASON}, 1)
        assert (changed.version, changed.refusal_reason, changed.name) == (2, REASON, NAME)
        with pytest.raises(Conflict):
            update({"age_years": 64}, 1)  # someone else's version 2 is there
        with pytest.raises(ValidationFailed) as refused:
            update({"refusal": "treatment", "refusal_reason": ""}, 2)
        assert refused.value.errors == {"refusal_reason": "refusal_reason_required"}

        job = db.session.get(Assignment, world["job_id"])
        job.at_hospital_at = NOW + timedelta(minutes=25)
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:  # before arriving at hospital
            update({"handover_at": (NOW + timedelta(minutes=24)).isoformat()}, 2)
        assert refused.value.errors == {"handover_at": "before_at_hospital"}
        with pytest.raises(ValidationFailed) as refused:  # hand-over in the future
            update({"handover_at": (LATER + timedelta(hours=1)).isoformat()}, 2)
        assert refused.value.errors == {"handover_at": "in_future"}
        handed = update(
            {
                "handover_at": (NOW + timedelta(minutes=28)).isoformat(),
                "receiving_doctor": "赵医生",
            },
            2,
        )
        assert handed.version == 3 and handed.receiving_doctor == "赵医生"

        def entry(minutes):
            at = (NOW + timedelta(minutes=minutes)).isoformat()
            return patients.add_entry(
                db.session, **ids, patient_id=patient_id, now=LATER,
                data={"kind": "treatment", "at": at, "text": "吸氧"},
            )  # fmt: skip

        for minutes, code in ((-6, "before_dispatch"), (29, "after_handover")):
            with pytest.raises(ValidationFailed) as refused:
                entry(minutes)
            assert refused.value.errors == {"at": code}
        assert entry(27).kind == "treatment"


def test_the_job_is_its_vehicles_closes_after_clearing_and_who_reads(app):
    with app.app_context():
        world = factories_patients.job(seed=1)
        other = factories_patients.job(seed=2)
        patient_id = _write(world)
        with pytest.raises(NotFound):  # another vehicle's job
            patients.create_patient(
                db.session, vehicle_id=world["vehicle_id"], job_id=other["job_id"], data={},
                now=LATER,
            )  # fmt: skip
        with pytest.raises(NotFound):  # a patient of another job
            patients.add_entry(
                db.session, vehicle_id=other["vehicle_id"], job_id=other["job_id"],
                patient_id=patient_id, data={"kind": "treatment", "text": "x",
                                             "at": LATER.isoformat()}, now=LATER,
            )  # fmt: skip
        job = db.session.get(Assignment, world["job_id"])
        job.cleared_at = LATER
        db.session.commit()
        read = patient_records.crew_records(
            db.session, vehicle_id=world["vehicle_id"], job_id=world["job_id"], ip="",
            now=LATER + timedelta(hours=1),
        )  # fmt: skip
        assert [r.patient_id for r in read] == [patient_id]
        with pytest.raises(NotFound):
            patient_records.crew_records(
                db.session, vehicle_id=world["vehicle_id"], job_id=world["job_id"], ip="",
                now=LATER + timedelta(hours=3),
            )  # fmt: skip
        logged = db.session.scalars(select(SecurityEvent.detail)).all()
        assert any(f"terminal of vehicle #{world['vehicle_id']}" in d for d in logged)
        # Who reads: 120 staff and the destination hospital's desk only.
        own = hf.desk(world["hospital_id"]).id
        stranger = hf.desk(hf.hospital("别的医院（合成）", 116.3, 39.9).id).id
        operator = factories.user(Role.OPERATOR).id

        def read(actor_id):
            return patient_records.read_record(
                db.session, patient_id, actor_id=actor_id, ip="", now=LATER, via="pdf"
            )

        assert read(own).fields.name == NAME
        for actor_id in (stranger, operator):
            with pytest.raises(NotFound):
                read(actor_id)
        with pytest.raises(NotFound):
            patient_records.incident_records(
                db.session, world["incident_id"], actor_id=own, ip="", now=LATER
            )
        db.session.expire_all()
        with _selects() as one:
            records = patient_records.incident_records(
                db.session, world["incident_id"], actor_id=world["dispatcher_id"], ip="", now=LATER
            )
        assert [r.patient_id for r in records] == [patient_id]
        # A mass-casualty incident: more patients, not more queries.
        more = [
            hf.patient(world["incident_id"], world["vehicle_id"], LATER, vitals=[{"at": LATER}])
            for _ in range(3)
        ]
        db.session.commit()
        db.session.expire_all()
        with _selects() as four:
            records = patient_records.incident_records(
                db.session, world["incident_id"], actor_id=world["dispatcher_id"], ip="", now=LATER
            )
        assert [r.patient_id for r in records] == [patient_id, *(p.id for p in more)]
        assert [len(r.entries) for r in records] == [3, 1, 1, 1]
        assert {r.call_sign for r in records} == {records[0].call_sign} != {""}
        assert len(four) == len(one)
        readers = db.session.scalars(
            select(SecurityEvent.actor_id).where(
                SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value,
                SecurityEvent.actor_id.is_not(None),  # the terminal's reads above have none
            )
        ).all()
        assert readers == [own, world["dispatcher_id"]] + [world["dispatcher_id"]] * 4
