"""The crew terminal's patient-record endpoints: its own vehicle's jobs only, field codes on
refusals, compare-and-set, Idempotency-Keys, the read-back logged."""

from datetime import timedelta

from sqlalchemy import func, select

from hotline.core.accounts.security import SecurityKind
from hotline.models import Patient, PatientEntry, SecurityEvent
from hotline.plugins import db
from tests import factories_patients
from tests.factories import NOW


def _worlds(app):
    with app.app_context():
        return factories_patients.job(seed=1), factories_patients.job(seed=2)


def _auth(world, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {world['token']}"}
    return {**headers, "Idempotency-Key": key} if key else headers


def _url(world, job=None, tail="") -> str:
    job_id = world["job_id"] if job is None else job
    return f"/api/v1/vehicles/{world['vehicle_id']}/jobs/{job_id}/patients{tail}"


def test_the_crew_writes_and_reads_back_its_patients(app):
    mine, _ = _worlds(app)
    client = app.test_client()
    body = {"name": "李明", "sex": "female", "age_years": 40, "age_estimated": True,
            "complaint_code": "C04", "diagnosis_code": "I63.9"}  # fmt: skip
    created = client.post(_url(mine), json=body, headers=_auth(mine, "p-1"))
    assert created.status_code == 201, created.json
    assert created.json["flags"] == ["stroke"] and "李明" not in created.text
    again = client.post(_url(mine), json=body, headers=_auth(mine, "p-1"))
    assert again.status_code == 201 and again.json == created.json  # the receipt, not twice
    patient_id = created.json["patient_id"]

    at = (NOW + timedelta(minutes=9)).isoformat()
    vitals = {"kind": "vitals", "at": at, "sbp": 180, "dbp": 100, "gcs": 13, "phase": "scene"}
    entry = client.post(_url(mine, tail=f"/{patient_id}/entries"), json=vitals,
                        headers=_auth(mine, "e-1"))  # fmt: skip
    assert entry.status_code == 201 and entry.json["kind"] == "vitals"
    history = {"version": 1, "history": "突发左侧肢体无力"}
    changed = client.put(_url(mine, tail=f"/{patient_id}"), json=history, headers=_auth(mine))
    assert changed.status_code == 200 and changed.json["version"] == 2
    stale = client.put(_url(mine, tail=f"/{patient_id}"), json={"version": 1, "sex": "male"},
                       headers=_auth(mine))  # fmt: skip
    assert stale.status_code == 409

    read = client.get(_url(mine), headers=_auth(mine))
    assert read.status_code == 200
    [record] = read.json["patients"]
    assert record["name"] == "李明" and record["history"] == "突发左侧肢体无力"
    assert record["entries"][0]["values"]["gcs"] == 13 and record["entries"][0]["at"]
    with app.app_context():
        assert db.session.scalar(select(func.count(Patient.id))) == 1
        assert db.session.scalar(select(func.count(PatientEntry.id))) == 1
        logged = db.session.scalars(
            select(SecurityEvent.detail).where(
                SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value
            )
        ).all()
        assert logged == [f"patient #{patient_id}, incident {mine['incident_number']}, "
                          f"terminal of vehicle #{mine['vehicle_id']}"]  # fmt: skip


def test_refusals_wrong_vehicle_other_job_field_codes_and_the_coded_lists(app):
    mine, other = _worlds(app)
    client = app.test_client()
    wrong_token = client.post(_url(mine), json={}, headers=_auth(other))
    assert wrong_token.status_code == 403
    assert client.post(_url(mine), json={}).status_code == 401
    assert client.post(_url(mine, job=other["job_id"]), json={},
                       headers=_auth(mine)).status_code == 404  # fmt: skip
    assert client.get(_url(mine, job=other["job_id"]), headers=_auth(mine)).status_code == 404
    assert client.post(_url(mine), data="[]", headers=_auth(mine),
                       content_type="application/json").status_code == 400  # fmt: skip
    assert client.post(_url(mine), json={}, headers=_auth(mine, "bad key!")).status_code == 400

    refused = client.post(_url(mine), json={"sex": "x", "age_years": 150, "refusal": "transport"},
                          headers=_auth(mine))  # fmt: skip
    assert refused.status_code == 422
    assert refused.json["codes"] == {
        "sex": "invalid_choice",
        "age_years": "out_of_range",
        "refusal_reason": "refusal_reason_required",
    }
    patient_id = client.post(_url(mine), json={}, headers=_auth(mine)).json["patient_id"]
    entries = _url(mine, tail=f"/{patient_id}/entries")
    early = (NOW - timedelta(minutes=6)).isoformat()  # a few minutes are a tablet's clock
    for body, codes in (
        ({"kind": "vitals", "at": early, "pulse": 80}, {"at": "before_dispatch"}),
        ({"kind": "vitals", "at": NOW.isoformat(), "spo2": 30}, {"spo2": "out_of_range"}),
        ({"kind": "medication", "at": NOW.isoformat()}, {"text": "required"}),
    ):
        answer = client.post(entries, json=body, headers=_auth(mine))
        assert (answer.status_code, answer.json["codes"]) == (422, codes)
    other_patient = client.post(_url(other), json={}, headers=_auth(other)).json["patient_id"]
    assert client.post(_url(mine, tail=f"/{other_patient}/entries"), headers=_auth(mine),
                       json={"kind": "treatment", "at": NOW.isoformat(), "text": "x"},
                       ).status_code == 404  # fmt: skip
    assert client.put(_url(mine, tail=f"/{patient_id}"), json={"sex": "male"},
                      headers=_auth(mine)).status_code == 400  # fmt: skip

    # The coded lists for the terminal's selects, for its own vehicle only.
    url = f"/api/v1/vehicles/{mine['vehicle_id']}/patient-codes"
    answer = client.get(url, headers=_auth(mine))
    assert answer.status_code == 200 and answer.json["version"] == "2026.1"
    assert {"code": "I21.9", "zh": "急性心肌梗死", "en": "Acute myocardial infarction, "
            "unspecified", "capability": "chest_pain"} in answer.json["diagnoses"]  # fmt: skip
    assert client.get(url, headers=_auth(other)).status_code == 403
