"""The authorization matrix (issue 12, "Trust"): a test generated from the URL map crosses
every endpoint with every role (and nobody, and a vehicle terminal), with orders of the
user's own and of another department, and compares each answer with the one permission
table. No endpoint is missing from the table: each view says what guards it
(`requires` sets `view.permission`, `token_required` `view.token_permission`,
`terminal_required` `view.token_scheme`), or is listed below as public, with the reason.
"""

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from PIL import Image
from sqlalchemy import select

from hotline.core.accounts.permissions import Permission, allows
from hotline.core.accounts.roles import Role
from hotline.core.api.openapi import TERMINAL_SCHEME
from hotline.core.kb.articles import Content
from hotline.core.orders.attachments import AttachmentKind, Incoming
from hotline.core.orders.workflow import Action
from hotline.database import utcnow
from hotline.models import Assignment, Category, KbCategory, KbGap, Station, Survey
from hotline.plugins import db
from hotline.services.accounts import credentials, wallboard_token
from hotline.services.deadlines import extensions, notices, settings
from hotline.services.ems import terminals
from hotline.services.kb import articles
from hotline.services.kb.articles import SYSTEM
from hotline.services.orders import attachments, co_handling
from hotline.services.units import organisation
from hotline.web.telephony.sip import PBX_SCHEME
from tests import factories
from tests import factories_hospitals as hospitals
from tests.conftest import Browser, make_app, snapshot

DONGCHENG = "东城区城市管理委员会"  # the department staff's own department
CHAOYANG = "朝阳区城市管理委员会"  # another department

# Endpoints anyone may call, on purpose. Each says why.
PUBLIC = {
    "auth.login": "the login page itself",
    "auth.logout": "ends the session it is sent with, if any; nothing without one",
    "auth.language": "the interface language, kept in the visitor's own session",
    "static": "stylesheets, scripts, fonts and vendored Leaflet: no data",
    "public.status": "citizens' status lookup: order number and the phone's last four "
    "digits, rate-limited per address and per number",
    "public.mailbox": "the mayor's mailbox: the letter form",
    "public.mailbox_submit": "the mayor's mailbox: a letter (signed one-use form token, "
    "honeypot, per-address limit)",
    "public.kb_index": "the public knowledge base: public, valid articles only, "
    "rate-limited per address",
    "public.kb_article": "one public, valid article (no internal fields), rate-limited",
    "api.openapi": "the OpenAPI description of /api/v1: no data",
    "ems.terminal": "the crew terminal's shell: no data; it works through the vehicle's token",
    "observability.healthz": "the load balancer's liveness check: 'ok', nothing else",
    "observability.readyz": "the load balancer's readiness check: which checks passed, no data",
    "observability.metrics": "Prometheus: answered only to a scraper connecting straight "
    "from METRICS_NETWORKS, never through the proxy (404 otherwise)",
    "open311.discovery": "Open311 GeoReport v2 is a public standard: discovery",
    "open311.services": "Open311: the categories as services",
    "open311.service_definition": "Open311: a service's questions",
    "open311.requests_list": "Open311: published requests only (rate-limited per address)",
    "open311.request_detail": "Open311: one published request",
    "open311.token": "Open311: the request id behind a token",
    "open311.requests_create": "Open311: a new request, authenticated by the client's api_key",
}
# Endpoints that need a login but no permission.
LOGIN_ONLY = {"auth.home": "sends each role to its own page, which then asks the table"}

TERMINAL = "terminal"  # a vehicle terminal's token, for its own vehicle
# A hall screen: nobody logged in, a session that opened the wallboard with its token.
WALLBOARD = "wallboard"
PRINCIPALS = [*Role, None, TERMINAL, WALLBOARD]  # None: nobody logged in


@dataclass(frozen=True)
class Guard:
    """What guards an endpoint: a session with a permission, a user's token with a
    permission, a terminal's token, a login alone, or nothing (public)."""

    kind: str  # "session", "token", "terminal", "login", "public"
    permission: Permission | None = None
    screen: bool = False  # a wallboard screen's session opens it too (no login)
    # Health data: any of these permissions opens it; other roles get 404, never 403.
    hidden: tuple[Permission, ...] = ()


def guard_of(app, endpoint: str) -> Guard | None:
    """The endpoint's guard as its view records it, or None when nothing says."""
    view = app.view_functions[endpoint]
    if getattr(view, "hidden", False) is True:
        return Guard("session", view.permission, hidden=tuple(view.permissions))
    if isinstance(getattr(view, "permission", None), Permission):
        return Guard("session", view.permission, getattr(view, "wallboard_grant", False) is True)
    if isinstance(getattr(view, "token_permission", None), Permission):
        return Guard("token", view.token_permission)
    if getattr(view, "token_scheme", None) == TERMINAL_SCHEME:
        return Guard("terminal")
    if getattr(view, "token_scheme", None) == PBX_SCHEME:
        return Guard("pbx")
    if endpoint in LOGIN_ONLY:
        return Guard("login")
    if endpoint in PUBLIC:
        return Guard("public")
    return None


def test_no_endpoint_is_missing_from_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(e for e in endpoints if guard_of(app, e) is None)
    assert missing == [], "neither guarded nor listed as public on purpose"
    # The lists name only endpoints that exist, and nothing guarded is called public.
    assert set(PUBLIC) | set(LOGIN_ONLY) <= endpoints
    listed_but_guarded = [
        e for e in (*PUBLIC, *LOGIN_ONLY) if guard_of(app, e).kind not in ("public", "login")
    ]
    assert listed_but_guarded == []


# --- the world: one app per principal, a few objects of every kind ------------------------


@dataclass
class World:
    """The objects the URLs name: `values` by argument (or "endpoint:argument")."""

    user: object | None
    own_order: str
    other_order: str
    own_vehicle: int
    other_vehicle: int
    values: dict[str, str]
    user_token: str | None = None
    terminal_token: str | None = None
    wallboard_token: str | None = None


ARCHIVED = "month-2026-10-01_2026-10-31.pdf"


def knowledge(session) -> tuple[int, int]:
    """A published public article of the knowledge base, and a search nobody answered."""
    category = KbCategory(name="社会保障", position=0)
    session.add(category)
    session.flush()
    content = Content(category_id=category.id, title="社保卡挂失", answer="先挂失。", public=True)
    article_id = articles.add(session, content, actor=SYSTEM, now=factories.NOW)
    for move in (articles.submit, articles.publish):
        move(session, article_id, actor=SYSTEM, now=factories.NOW)
    gap = KbGap(query="无人回答", first_seen=factories.NOW, last_seen=factories.NOW)
    session.add(gap)
    session.commit()
    return article_id, gap.id


def picture(app, session, order, actor) -> int:
    """A photo on the order (with its thumbnail): the id its file URLs name."""
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 10)).save(image, "PNG")
    root = attachments.folder(app.config, app.instance_path)
    files = [Incoming("现场.png", image.getvalue())]
    (row,) = attachments.add(
        session,
        order=order,
        files=files,
        kind=AttachmentKind.INTAKE,
        actor=actor,
        now=factories.NOW,
        root=root,
    )
    return row.id


def build_world(app, principal) -> World:
    """Orders of Dongcheng's and Chaoyang's departments, a closed order with its survey,
    an extension request, two ambulances with an incident, admin objects, tokens."""
    with app.app_context():
        session = db.session
        role = principal if isinstance(principal, Role) else None
        department = DONGCHENG if role is Role.DEPARTMENT else None
        user = factories.user(role, department) if role else None
        staff = factories.user(Role.DEPARTMENT, DONGCHENG)
        desk = factories.user(Role.DESK)
        dispatcher = factories.user(Role.EMS_DISPATCHER)
        target = factories.user(Role.OPERATOR)  # the account the admin pages act on
        own = factories.order()  # routed to 东城区城市管理委员会
        other = factories.order(lon=str(factories.BIRDS_NEST[0]), lat=str(factories.BIRDS_NEST[1]))
        assert own.department.name == DONGCHENG and other.department.name == CHAOYANG
        closed = factories.order(description="已整改的噪音")
        factories.act(staff, closed.number, Action.ACCEPT)
        factories.act(staff, closed.number, Action.REPLY, "已整改")
        factories.act(desk, closed.number, Action.APPROVE)
        survey_id = session.scalar(select(Survey.id).where(Survey.order_id == closed.id))
        request = extensions.request_extension(
            session,
            actor_id=staff.id,
            number=own.number,
            new_day=own.due_at.date().replace(year=own.due_at.year + 1),
            reason="需要协调",
            now=factories.NOW,
            timezone="Asia/Shanghai",
        )
        vehicles = factories.ambulances(2)
        incident = factories.dispatched_incident(
            dispatcher, vehicles[0], factories.NOW, factories.NOW
        )
        job = session.scalar(select(Assignment).where(Assignment.incident_id == incident.id))
        hospital = hospitals.hospital("矩阵医院（合成）", *factories.TIANANMEN)
        patient = hospitals.patient(incident.id, vehicles[0], factories.NOW)
        job.hospital_id = hospital.id
        session.commit()
        minor = session.scalar(select(Category).where(Category.code == "0401"))
        rule = organisation.add_rule(
            session, category_id=minor.id, district_id=None, department_id=other.department_id
        )
        limit = settings.add_limit_rule(
            session,
            order_type="complaint",
            category_id=None,
            priority=None,
            amount=5,
            unit="working_days",
            warning_percent=80,
        )
        settings.set_calendar_day(session, day=date(2026, 10, 8), is_workday=True, note="调休")
        client, _key = credentials.create_client(session, name="matrix", now=factories.NOW)
        station_id = session.scalar(select(Station.id).limit(1))
        article_id, gap_id = knowledge(session)
        pictures = {
            variant: picture(app, session, order, desk)
            for variant, order in (("own", own), ("other", other))
        }
        supervisor = factories.user(Role.SUPERVISOR)
        notice_ids = {
            variant: notices.issue(
                session,
                actor_id=supervisor.id,
                number=order.number,
                instruction="请核查并回复",
                respond_by=factories.NOW + timedelta(days=1),
                now=factories.NOW,
                timezone="Asia/Shanghai",
            ).id
            for variant, order in (("own", own), ("other", other))
        }
        # A second-level dispatch on each order, held by a staff member of its own unit (the
        # department principal itself on its own order).
        holders = {"own": user if role is Role.DEPARTMENT else staff}
        holders["other"] = factories.user(Role.DEPARTMENT, CHAOYANG)
        task_ids = {}
        for variant, order in (("own", own), ("other", other)):
            holder = holders[variant]
            factories.act(holder, order.number, Action.ACCEPT)
            task_ids[variant] = co_handling.assign(
                session,
                actor_id=holder.id,
                number=order.number,
                sub_unit_id=None,
                user_id=holder.id,
                instruction="请现场核实",
                due_at=factories.NOW + timedelta(days=1),
                now=factories.NOW,
            ).id
        values = {
            "incident_id": incident.id,
            "job_id": job.id,  # the terminal's job: its vehicle's assignment
            "assignment_id": job.id,
            "patient_id": patient.id,
            "survey_id": survey_id,
            "call_id": 1,  # no call: a 404 for whoever may ask, as for a missing object
            "request_id": request.id,
            "decision": "approve",
            "user_id": target.id,
            "vehicle_id": vehicles[0],
            "department_id": other.department_id,
            "category_id": minor.id,
            "rule_id": rule.id,
            "admin.time_limit_delete:rule_id": limit.id,
            "client_id": client.id,
            "day": "2026-10-08",
            "kind": "stations",
            "object_id": station_id,
            "orders.act:action": Action.ACCEPT.value,
            "ems.vehicle_action:action": "out_of_service",
            "year": "2026",
            "name": ARCHIVED,
            "auth.language:code": "en",
            "open311.service_definition:code": "0401",
            "fmt": "json",
            "value": own.number,
            "filename": "css/app.css",
            "article_id": article_id,
            "gap_id": gap_id,
            "kb_editor.version:number": 1,
            "own:attachment_id": pictures["own"],  # each order's own photo
            "other:attachment_id": pictures["other"],
            "own:notice_id": notice_ids["own"],  # each order's own supervision notice
            "other:notice_id": notice_ids["other"],
            "own:task_id": task_ids["own"],  # each order's own second-level dispatch
            "other:task_id": task_ids["other"],
            "orders.task_act:action": "accept",
            # A base-map tile (none configured here: 404 for whoever may see the maps).
            "maps.tile:z": "10",
            "maps.tile:x": "843",
            "maps.tile:y": "388",
        }
        world = World(
            user=user,
            own_order=own.number,
            other_order=other.number,
            own_vehicle=vehicles[0],
            other_vehicle=vehicles[1],
            values={k: str(v) for k, v in values.items()},
        )
        if user is not None:
            world.user_token = credentials.issue_user_token(session, user.id, now=utcnow(), days=90)
        if principal == TERMINAL:
            world.terminal_token = terminals.issue_terminal_token(
                session, vehicles[0], now=utcnow()
            )
        if principal == WALLBOARD:
            world.wallboard_token = wallboard_token.issue(session, now=utcnow(), days=1)
        world.user = snapshot(user)
        return world


# --- the requests ------------------------------------------------------------------------

# POST bodies that get past form validation, so that a request reaches the object checks
# (a refused form is answered before the order is looked up).
POST_DATA = {
    "orders.act": {"note": "矩阵"},
    "deadlines.extension_request": {"day": "2027-12-31", "reason": "矩阵"},
    "deadlines.reminder_set": {"remind_at": "2027-01-04T10:00", "note": "矩阵"},
    "deadlines.extension_decide": {"note": "矩阵"},
}
# Last, in this order: they end or change the session the other requests use.
LAST = ("auth.password", "auth.logout")
_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
ORDER = "<number>"  # a work order's number, in the URLs of the orders' pages


@dataclass(frozen=True)
class Probe:
    endpoint: str
    method: str
    url: str
    guard: Guard
    variant: str  # "own" or "other" where the URL names an order or a terminal's vehicle


def names_an_order(rule) -> bool:
    """Whether the URL names a work order (`<number>`, not an `<int:number>` of something
    else)."""
    return ORDER in rule.rule


def url_of(rule, world: World, variant: str) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if match.group(0) == ORDER:
            return world.own_order if variant != "other" else world.other_order
        if name == "vehicle_id" and variant:
            return str(world.own_vehicle if variant == "own" else world.other_vehicle)
        found = world.values.get(f"{rule.endpoint}:{name}", world.values.get(name))
        found = world.values.get(f"{variant}:{name}", found)  # an object of that order
        assert found is not None, f"no value for <{name}> of {rule.rule}: add one to the world"
        return quote(found, safe="/")

    return _ARGUMENT.sub(value, rule.rule)


def probes(app, world: World) -> list[Probe]:
    """Every rule, every method, and for orders (and terminals' vehicles) both variants:
    GETs first, then POSTs, then those that change the session."""
    found = []
    for rule in app.url_map.iter_rules():
        guard = guard_of(app, rule.endpoint) or Guard("missing")  # see the test above
        variants = [""]
        if names_an_order(rule) or (guard.kind == "terminal" and "vehicle_id" in rule.arguments):
            variants = ["own", "other"]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for variant in variants:
                url = url_of(rule, world, variant)
                found.append(Probe(rule.endpoint, method, url, guard, variant))

    def order(p: Probe):
        last = LAST.index(p.endpoint) if p.endpoint in LAST else -1
        return (last, p.method != "GET", p.url)

    return sorted(found, key=order)


def expected(probe: Probe, principal) -> str:
    """What the table says: "allowed", "forbidden" (403), "login" (a redirect to the login
    page), "unauthorized" (401) or "not_found" (404: another department's order)."""
    guard = probe.guard
    if principal == WALLBOARD:
        if guard.screen:
            return "allowed"  # the wallboard's own endpoints, and nothing else
        principal = None  # everything else answers the screen as it answers nobody
    if guard.kind == "missing":
        return "in the table or listed as public"
    if guard.kind == "public":
        return "allowed"
    if guard.kind == "pbx":
        return "forbidden"  # Kamailio's endpoints: the line's secret, never a person
    if guard.kind == "terminal":
        if principal != TERMINAL:
            return "unauthorized"  # a user's token (or none) is no terminal's token
        return "allowed" if probe.variant == "own" else "forbidden"
    if guard.kind == "token":
        if not isinstance(principal, Role):
            return "unauthorized"
        allowed = allows(principal, guard.permission)
    else:
        if not isinstance(principal, Role):
            return "login"
        allowed = guard.kind == "login" or allows(principal, guard.permission)
        if guard.hidden:
            allowed = any(allows(principal, p) for p in guard.hidden)
            if not allowed:
                return "not_found"
    if not allowed:
        return "forbidden"
    if probe.variant == "other" and principal is Role.DEPARTMENT:
        return "not_found"  # the object check: department staff see their own orders only
    return "allowed"


def answer(response) -> str:
    """The response in the words of `expected`."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if status >= 500:
        return f"error {status}"
    if status in (301, 302, 303) and "/login" in location:
        return "login"
    return {401: "unauthorized", 403: "forbidden", 404: "not_found"}.get(status, "allowed")


def run_matrix(app, principal, world: World) -> list[str]:
    browser = Browser(app)
    if isinstance(principal, Role):
        assert browser.login(world.user.username).status_code == 302
    else:
        browser.refresh_token("/login")  # an anonymous session's CSRF token
    if principal == WALLBOARD:
        opened = browser.get(f"/wallboard?token={world.wallboard_token}")
        assert opened.status_code == 302 and opened.headers["Location"] == "/wallboard"
    token = world.terminal_token if principal == TERMINAL else world.user_token
    api = app.test_client()  # tokens travel without cookies
    problems = []
    for probe in probes(app, world):
        if probe.guard.kind in ("token", "terminal", "pbx"):
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            body = {"status": "available"} if probe.method == "POST" else None
            response = api.open(probe.url, method=probe.method, json=body, headers=headers)
        elif probe.method == "GET":
            response = browser.get(probe.url)
        else:
            data = {**POST_DATA.get(probe.endpoint, {}), "csrf_token": browser.token}
            response = browser.client.open(probe.url, method=probe.method, data=data)
        response.close()  # files (static, PDFs) are streamed
        want, got = expected(probe, principal), answer(response)
        if probe.guard.kind == "public" and response.status_code < 500:
            continue  # a public endpoint may refuse what it is sent, never fail
        # Where the URL names no order or vehicle of the test, a 404 is allowed too (the
        # object was not found or the form named none); an order the user may see opens.
        if got == want or (want == "allowed" and got == "not_found" and not probe.variant):
            continue
        problems.append(
            f"{probe.method} {probe.url} ({probe.endpoint}): {response.status_code}, "
            f"expected {want}"
        )
    return problems


@pytest.mark.parametrize(
    "principal", PRINCIPALS, ids=[str(p) if p else "anonymous" for p in PRINCIPALS]
)
def test_every_endpoint_answers_every_role_as_the_table_says(tmp_path, principal):
    application = make_app(
        f"sqlite:///{tmp_path / 'matrix.db'}",
        tmp_path / "instance",
        REPORTS_DIR=tmp_path / "reports",
        EMS_STREAM_SECONDS=0.1,  # the crew terminal's event stream ends at once
    )
    (tmp_path / "reports" / "2026").mkdir(parents=True)
    (tmp_path / "reports" / "2026" / ARCHIVED).write_bytes(b"%PDF-1.4\n%%EOF\n")
    try:
        world = build_world(application, principal)
        problems = run_matrix(application, principal, world)
    finally:
        with application.app_context():
            db.engine.dispose()
    assert problems == [], "\n".join(problems)
