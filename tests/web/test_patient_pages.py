"""The patient records at the centre: 120 dispatchers and supervisors read an incident's
records, the destination hospital's desk prints its own patient's only, every other role
gets 404; each record shown or printed is a security-log row; the PDF's text and font."""

import re
import subprocess
from datetime import timedelta

from sqlalchemy import select

from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.models import SecurityEvent
from hotline.plugins import db
from hotline.services.ems import patients
from tests import factories, factories_patients
from tests import factories_hospitals as hf
from tests.factories import NOW

NAME, HISTORY = "钱<b>多多</b>", "突发胸痛伴大汗一小时"


def _world(app) -> dict:
    """A job with one patient: vital signs, a medication, a refusal of nothing."""
    with app.app_context():
        world = factories_patients.job()
        ids = {"vehicle_id": world["vehicle_id"], "job_id": world["job_id"]}
        data = {"name": NAME, "sex": "male", "age_years": 58, "age_estimated": True,
                "history": HISTORY, "complaint_code": "C01", "diagnosis_code": "I21.9"}  # fmt: skip
        later = NOW + timedelta(minutes=20)
        patient = patients.create_patient(db.session, **ids, data=data, now=later)
        for kind, values in (
            ("vitals", {"sbp": 92, "dbp": 60, "pulse": 118, "spo2": 91, "phase": "scene"}),
            ("medication", {"text": "硝酸甘油舌下含服", "dose": "0.5 mg"}),
        ):
            at = (NOW + timedelta(minutes=15)).isoformat()
            patients.add_entry(
                db.session, **ids, patient_id=patient.id, data={"kind": kind, "at": at, **values},
                now=later,
            )  # fmt: skip
        world["patient_id"] = patient.id
        return world


def _reads(app) -> list[tuple[int | None, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(SecurityEvent.actor_id, SecurityEvent.detail)
            .where(SecurityEvent.kind == SecurityKind.PATIENT_RECORD_READ.value)
            .order_by(SecurityEvent.id)
        ).all()
        return [tuple(row) for row in rows]


def test_only_120_staff_read_and_every_read_is_logged(app, make, login):
    world = _world(app)
    urls = (f"/ems/incidents/{world['incident_id']}/patients",
            f"/ems/patients/{world['patient_id']}.pdf", "/ems/patients/999999.pdf")  # fmt: skip
    roles = ((Role.OPERATOR, None), (Role.DESK, None), (Role.OFFICIAL, None),
             (Role.DEPARTMENT, "东城区城市管理委员会"))  # fmt: skip
    for role, department in roles:
        browser = login(make(factories.user, role, department))
        for url in urls:
            assert browser.get(url).status_code == 404, (role, url)
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    staff = login(dispatcher)
    assert staff.get("/ems/patients/999999.pdf").status_code == 404
    assert staff.get("/ems/incidents/999999/patients").status_code == 404
    assert _reads(app) == []  # refusals read nothing
    assert app.test_client().get(urls[0]).status_code == 302  # to the log-in page

    page_url = urls[0]
    supervisor = make(factories.user, Role.SUPERVISOR)
    page = staff.get(page_url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "钱&lt;b&gt;多多&lt;/b&gt;" in html and "<b>多多" not in html  # escaped
    assert HISTORY in html and "I21.9 急性心肌梗死" in html and "胸痛" in html
    assert "硝酸甘油舌下含服" in html and "92/60" in html and "~58" in html
    assert login(supervisor).get(page_url).status_code == 200
    detail = f"patient #{world['patient_id']}, incident {world['incident_number']}"
    assert _reads(app) == [
        (dispatcher.id, f"{detail}, incident page"),
        (supervisor.id, f"{detail}, incident page"),
    ]


def test_the_pdf_for_the_centre_and_the_destination_hospital_only(app, make, login, tmp_path):
    world = _world(app)
    pdf_url = f"/ems/patients/{world['patient_id']}.pdf"
    dispatcher = make(factories.user, Role.EMS_DISPATCHER)
    answer = login(dispatcher).get(pdf_url)
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Cache-Control"] == "no-store"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=answer.data, capture_output=True, check=True
    ).stdout.decode()
    for expected in ("院前急救病历", NAME, HISTORY, "I21.9 急性心肌梗死", "硝酸甘油舌下含服",
                     "92/60", "胸痛中心", world["incident_number"]):  # fmt: skip
        assert expected in text, expected
    (tmp_path / "patient.pdf").write_bytes(answer.data)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "patient.pdf")], capture_output=True,
                           text=True)  # fmt: skip
    assert re.search(r"WenQuanYi\S*\s+TrueType\s+\S+\s+yes", fonts.stdout)

    own = make(hf.desk, world["hospital_id"])
    other_hospital = make(hf.hospital, "别家医院（合成）", 116.3, 39.95)
    stranger = make(hf.desk, other_hospital.id)
    assert login(own).get(pdf_url).status_code == 200
    assert login(stranger).get(pdf_url).status_code == 404
    assert login(own).get(f"/ems/incidents/{world['incident_id']}/patients").status_code == 404
    readers = [actor for actor, detail in _reads(app)]
    assert readers == [dispatcher.id, own.id] and all("pdf" in d for _, d in _reads(app))
