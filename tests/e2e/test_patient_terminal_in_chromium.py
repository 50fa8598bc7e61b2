"""The patient record on the crew terminal in Chromium: the job's section appears, the coded
lists fill the selects, a patient is saved and vital signs added through the terminal's
queue, and they are in the database, sealed at rest; two saves made offline both arrive (the
second takes the version the first one's answer gives)."""

import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.models import Patient, PatientEntry
from hotline.plugins import db
from tests import factories_patients

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_the_crew_records_a_patient_on_its_terminal(app, live_server, page):
    with app.app_context():
        world = factories_patients.job()
    page.goto(f"{live_server}/ems/terminal")
    page.evaluate(
        "([id, token]) => { localStorage.setItem('crew.vehicleId', JSON.stringify(id));"
        " localStorage.setItem('crew.token', JSON.stringify(token)); }",
        [world["vehicle_id"], world["token"]],
    )
    page.reload()
    section = page.locator("#patients")
    expect(section).to_be_visible(timeout=5000)
    expect(page.locator("#patient-diagnosis option[value='I63.9']")).to_have_text("I63.9 脑梗死")

    form = page.locator("#patient-form")
    form.locator("[name=name]").fill("赵六")
    form.locator("[name=sex]").select_option("female")
    form.locator("[name=age_years]").fill("71")
    form.locator("[name=complaint_code]").select_option("C04")
    form.locator("[name=diagnosis_code]").select_option("I63.9")
    form.locator("button[type=submit]").click()
    expect(page.locator("#patient-tabs button.current")).to_contain_text("赵六", timeout=5000)

    vitals = page.locator("#vitals-form")
    vitals.locator("[name=sbp]").fill("170")
    vitals.locator("[name=dbp]").fill("95")
    vitals.locator("[name=gcs]").fill("14")
    vitals.locator("button[type=submit]").click()
    expect(page.locator("#patient-entries li")).to_contain_text("SBP 170", timeout=5000)
    assert page.csp_violations == []

    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert (patient.name, patient.sex, patient.age_years) == ("赵六", "female", 71)
        entry = db.session.scalar(select(PatientEntry))
        assert json.loads(entry.values)["gcs"] == 14 and entry.kind == "vitals"

    # Two saves while offline: the second PUT takes the version the first one's answer gives.
    page.context.set_offline(True)
    for name in ("赵六一", "赵六二"):
        form.locator("[name=name]").fill(name)
        form.locator("button[type=submit]").click()
    expect(page.locator("#queue")).to_contain_text("2")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#queue")).to_have_text("", timeout=6000)
    expect(page.locator("#attention-card")).to_be_hidden()
    with app.app_context():
        patient = db.session.scalar(select(Patient))
        assert (patient.name, patient.version) == ("赵六二", 3)
