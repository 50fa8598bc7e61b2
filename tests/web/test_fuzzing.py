"""Fuzzing (issue 12, "Trust"): hypothesis over every form and JSON endpoint, with random
text, control characters, huge values, numbers as text, wrong types and missing fields.
Never a 500, and no partial write: a refused request (an error status, or an error message
flashed) leaves every table as it was, but for the logs that record refusals.

The forms are found as a user finds them: every page each role may open is rendered, and
its <form>s give the fields and their values (the baseline that hypothesis then breaks).
POST endpoints that no page shows get the names of every form. The JSON endpoints take their
parameters from the OpenAPI document; Open311 from the GeoReport v2 standard.
"""

import hashlib
import os
import re
import weakref
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from flask import message_flashed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from hotline.core.accounts.permissions import allows
from hotline.core.accounts.roles import Role
from hotline.core.accounts.security import SecurityKind
from hotline.core.api.openapi import OPENAPI
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.services.ems import terminals
from tests import factories
from tests.conftest import Browser, make_app
from tests.web.test_authorization_matrix import (
    DONGCHENG,
    Guard,
    build_world,
    guard_of,
    url_of,
)
from tests.web.test_authorization_matrix import (
    ORDER as ORDER_ARGUMENT,
)

# Examples per form (about 60 forms, a page each: ~35 s on the 2-core machine); the JSON
# endpoints answer faster and get four times as many. FUZZ_EXAMPLES=300 for a deeper run by
# hand (derandomized: the same examples every run, so CI is stable).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
API_EXAMPLES = 4 * EXAMPLES


def hypothesis_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Roles in the order they are tried for an endpoint no page showed.
PREFERRED = [
    Role.SUPERVISOR,
    Role.DEPARTMENT,
    Role.DESK,
    Role.OPERATOR,
    Role.SURVEYOR,
    Role.EMS_DISPATCHER,
    Role.OFFICIAL,
    Role.SYSTEM_ADMIN,
    Role.SECURITY_ADMIN,
    Role.AUDIT_ADMIN,
    Role.UNASSIGNED,
]
PREFERRED += [role for role in Role if role not in PREFERRED]  # roles added since
# Last: a wrong password typed again counts as a failed login, and five lock the account
# and end its sessions (the lock-out is a write the refusal makes on purpose).
LOCKING = ("admin.user_token_issue", "auth.password")
API = ("api.", "open311.")  # fuzzed by their own tests below
NOT_FUZZED = {"auth.logout": "no fields; it ends the session the other requests use"}

# --- values ------------------------------------------------------------------------------

C0 = "".join(chr(c) for c in range(32)) + "\x7f"
SAMPLES = [
    *("", " ", "0", "-1", "1", "007", "2147483648", "-9223372036854775809", "1e309"),
    *("nan", "inf", "-inf", "0x10", "１２", "true", "on", "off", "null", "[]", "{}"),
    *("2026-02-30", "2026-11-20", "2026-11-20T10:00", "2026-11-20T10:00:00+08:00"),
    *("9999-12-31T23:59:59", "0001-01-01", "2026-11-20T10:00:00+99:00"),
    *("0401", "0301", "complaint", "tip_off", "phone", "available", "dispatched", "approve"),
    *("13800138000", "+8613800138000", "116.3975", "39.9087", "110101", "东城区"),
    *("<script>alert(1)</script>", "'; DROP TABLE work_orders; --", "../../etc/passwd"),
    *("%00", "\u202e", "\ufeff", "\U00020000", "a\x00b", "\r\n\r\n"),
]
value = st.one_of(
    st.sampled_from(SAMPLES),
    st.text(max_size=30),
    st.text(alphabet=st.sampled_from(C0 + "a噪1 -:."), max_size=30),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats().map(repr),
    st.builds(
        lambda ch, n: ch * n,
        st.sampled_from(["a", "噪", "9", "\x00", " "]),
        st.sampled_from([65, 257, 4001, 100_000]),
    ),
)
field_value = st.one_of(value, st.lists(value, min_size=2, max_size=3))  # a repeated field
# Days and moments, from year 1 to 9999, with and without the furthest time zones.
ZONES = [UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))]
# The ends of the calendar: tried on every field named like a day or a moment (`edges`),
# then among hypothesis's values.
FAR_ENDS = [
    *("0001-01-01", "9999-12-31", "0001-01-01T00:00", "9999-12-31T23:59"),
    *("0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59Z"),
]
moment = st.one_of(
    st.sampled_from(FAR_ENDS),
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.datetimes(timezones=st.sampled_from(ZONES)).map(datetime.isoformat),
)
DATE_NAME = re.compile(r"date|day|time|_at$|^at$|^from$|^to$|start|end|until")


def value_for(name: str):
    """A field's values: days and moments weigh more in a field named like one."""
    return st.one_of(moment, moment, field_value) if DATE_NAME.search(name) else field_value


def at_the_ends(data: dict, names) -> list[dict]:
    """`data` with each field named like a day or a moment set to each end of the calendar."""
    return [{**data, n: end} for n in names if DATE_NAME.search(n) for end in FAR_ENDS]


def fields_for(names) -> st.SearchStrategy[dict]:
    """Some of `names` with values for each."""
    pairs = st.sampled_from(list(names)).flatmap(lambda n: st.tuples(st.just(n), value_for(n)))
    return st.lists(pairs, min_size=1, max_size=4).map(dict)


def _json_values():
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(),
        value,
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
        ),
        max_leaves=8,
    )


json_value = _json_values()

# --- the forms on the pages --------------------------------------------------------------


@dataclass
class FormFound:
    method: str
    action: str | None
    fields: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


class Forms(HTMLParser):
    """Every <form> of a page: method, action, field names and their filled-in values."""

    def __init__(self):
        super().__init__()
        self.forms: list[FormFound] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(FormFound((a.get("method") or "get").upper(), a.get("action")))
            return
        if not self.forms or not a.get("name") and tag != "option":
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            form.fields.append(name)
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.values[name] = a.get("value") or "on"
            elif kind not in ("submit", "button"):
                form.values.setdefault(name, a.get("value") or "")
        elif tag == "select":
            form.fields.append(name)
            self._select = name
        elif tag == "option" and self._select:
            chosen = a.get("value") or ""
            if "selected" in a or self._select not in form.values or not form.values[self._select]:
                form.values[self._select] = chosen
        elif tag == "textarea":
            form.fields.append(name)
            form.values[name] = ""
            self._textarea = name
        elif tag == "button":
            form.fields.append(name)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1].values[self._textarea] += data


@dataclass(frozen=True)
class Target:
    """One form (or one endpoint) as one role sends it."""

    endpoint: str
    role: Role | None
    method: str
    url: str
    fields: tuple[str, ...]
    baseline: tuple[tuple[str, str], ...]


def _endpoint(app, method: str, url: str) -> tuple[str, dict] | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method)
    except (HTTPException, RequestRedirect):
        return None


def guard(app, endpoint: str) -> Guard:
    """The endpoint's guard; one neither guarded nor listed (the matrix test fails on it)
    is fuzzed as what it is: open to anyone."""
    return guard_of(app, endpoint) or Guard("public")


def crawl(app, browsers: dict, world) -> dict[str, list[Target]]:
    """Every role opens every page it may (GET, with the world's objects) and reads its forms;
    forms naming an account other than the test's target are left out (fuzzing them would
    change the roles and tokens of the users the fuzzing itself logs in as)."""
    found: dict[str, list[Target]] = {}
    for role, browser in browsers.items():
        for rule in app.url_map.iter_rules():
            door = guard(app, rule.endpoint)
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if door.kind not in ("session", "public") or (
                door.kind == "session" and not allows(role, door.permission)
            ):
                continue
            page_url = url_of(rule, world, "own")
            response = browser.get(page_url)
            if response.mimetype != "text/html":
                response.close()
                continue
            parser = Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                url = form.action or page_url
                match = _endpoint(app, form.method, url)
                if match is None:
                    continue
                endpoint, args = match
                if args.get("user_id") not in (None, int(world.values["user_id"])):
                    continue
                if endpoint in NOT_FUZZED:
                    continue
                names = tuple(dict.fromkeys(n for n in form.fields if n != "csrf_token"))
                baseline = tuple((k, v) for k, v in form.values.items() if k != "csrf_token")
                public = guard(app, endpoint).kind == "public"
                target = Target(
                    endpoint, None if public else role, form.method, url, names, baseline
                )
                # The same form on many pages (the language switch) counts once.
                seen = {(t.role, t.url, t.fields) for t in found.setdefault(endpoint, [])}
                if (target.role, target.url, target.fields) not in seen:
                    found[endpoint].append(target)
    return found


# --- the database before and after -------------------------------------------------------

# Tables a refused request may change: counters of attempts and the sessions' last use.
UNWATCHED = {"rate_counters", "login_sessions", "login_throttles", "security_events"}
# A wrong password is counted; enough of them lock the account and end its sessions.
VOLATILE = {"users": {"failed_logins", "locked_until", "session_version"}}
# What a read records by design: the knowledge base's views and unanswered searches.
READ_LOGS = {"kb_events", "kb_gaps"}
# Security-log entries that record the refusal itself, or a read.
LOGGED_REFUSALS = {
    SecurityKind.LOGIN_FAILED,
    SecurityKind.LOCKED_OUT,
    SecurityKind.CONFIDENTIAL_READ,
    SecurityKind.PHONE_UNMASKED,
    SecurityKind.PHONE_SEARCH,
    SecurityKind.PATIENT_RECORD_READ,  # every read of a patient record (院前急救病历)
}


def state(app) -> dict[str, str]:
    """A digest of every watched table, and the security log's count of other entries."""
    digests = {}
    with app.app_context():
        connection = db.session.connection()
        for table in db.metadata.sorted_tables:
            if table.name in UNWATCHED:
                continue
            columns = [c.name for c in table.c if c.name not in VOLATILE.get(table.name, ())]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = connection.exec_driver_sql(f'SELECT {listed} FROM "{table.name}" ORDER BY 1')
            # Plain tuples: a Row's repr cuts values longer than 300 characters to their ends
            # (a change in the middle went unseen), and took half of the fuzzing's time.
            digests[table.name] = hashlib.sha256(repr(list(map(tuple, rows))).encode()).hexdigest()
        kinds = ", ".join(f"'{k.value}'" for k in LOGGED_REFUSALS)
        digests["security_events"] = str(
            connection.execute(
                text(f"SELECT count(*) FROM security_events WHERE kind NOT IN ({kinds})")
            ).scalar()
        )
        db.session.remove()
    return digests


# The state after a request, when check() took it: the next request's state before (nothing
# else writes between two requests of one fuzz() run), which halves the digests taken.
_AFTER: "weakref.WeakKeyDictionary[object, dict[str, str]]" = weakref.WeakKeyDictionary()


def state_before(app) -> dict[str, str]:
    """The state before a request: the previous request's after-state, or a new digest."""
    return _AFTER.pop(app, None) or state(app)


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


class Flashes:
    """The categories flashed while a request ran (a refusal flashes "error")."""

    def __init__(self, app):
        self.app = app
        self.categories: list[str] = []

    def __enter__(self):
        message_flashed.connect(self._flashed, self.app)
        return self

    def __exit__(self, *exc):
        message_flashed.disconnect(self._flashed, self.app)

    def _flashed(self, _sender, message, category):
        self.categories.append(category)


def check(app, response, before: dict, flashed: list[str], method: str) -> list[str]:
    """What is wrong with an answer: a 5xx, a redirect off the site, or a write on a
    refusal (or on any GET)."""
    problems = []
    status = response.status_code
    if status >= 500:
        problems.append(f"answered {status}")
    location = response.headers.get("Location", "")
    if 300 <= status < 400:
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost") or location.startswith("//"):
            problems.append(f"redirected off the site: {location!r}")
    refused = status >= 400 or "error" in flashed
    if refused or method == "GET":
        after = state(app)
        _AFTER[app] = after
        written = changed(before, after)
        if method == "GET":
            written = [name for name in written if name not in READ_LOGS]
        if written:
            problems.append(f"{'refused' if refused else 'GET'} ({status}) but wrote {written}")
    return problems


def _short(data) -> str:
    text_ = repr(data)
    return text_ if len(text_) < 400 else text_[:400] + "…"


def fuzz(name: str, strategy, send, app, examples: int = EXAMPLES, edges=()) -> str | None:
    """The `edges` (explicit examples), then hypothesis over `strategy`; `send(example)`
    makes the request and returns (response, flashed categories, before-state, method).
    The first problem, or None."""
    found: list[str] = []
    _AFTER.pop(app, None)  # taken before this run: something else may have written since
    for example in edges:
        response, flashed, before, method = send(example)
        problems = check(app, response, before, flashed, method)
        response.close()
        if problems:
            return f"{name}: {problems} for {_short(example)}"

    @hypothesis_settings(examples)
    @given(example=strategy)
    def run(example):
        response, flashed, before, method = send(example)
        problems = check(app, response, before, flashed, method)
        response.close()
        if problems:
            message = f"{name}: {problems} for {_short(example)}"
            if not found:
                found.append(message)
            raise AssertionError(message)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - also hypothesis's FlakyFailure (a group)
        return found[0] if found else f"{name}: {exc!r}"[:1000]
    return None


# --- the world ---------------------------------------------------------------------------


@dataclass
class FuzzWorld:
    app: object
    world: object
    browsers: dict
    tokens: dict


@pytest.fixture
def fuzz_world(tmp_path):
    """One app with the matrix's objects and a logged-in browser for every role."""
    app = make_app(
        f"sqlite:///{tmp_path / 'fuzz.db'}",
        tmp_path / "instance",
        REPORTS_DIR=tmp_path / "reports",
        OPEN311_RATE_PER_KEY=10**6,
        OPEN311_RATE_PER_IP=10**6,
        OPEN311_READ_RATE_PER_IP=10**6,
        STATUS_LOOKUP_RATE_PER_IP=10**6,
        STATUS_LOOKUP_RATE_PER_NUMBER=10**6,
        MAILBOX_RATE_PER_IP=10**6,
    )
    world = build_world(app, Role.SUPERVISOR)
    browsers, tokens = {}, {}
    with app.app_context():
        users = {Role.SUPERVISOR: world.user}
        for role in PREFERRED[1:]:
            users[role] = factories.user(role, DONGCHENG if role is Role.DEPARTMENT else None)
        for role, user in users.items():
            tokens[role] = credentials.issue_user_token(db.session, user.id, now=utcnow(), days=9)
        tokens["terminal"] = terminals.issue_terminal_token(
            db.session, world.own_vehicle, now=utcnow()
        )
        usernames = {role: user.username for role, user in users.items()}
        key = credentials.create_client(db.session, name="fuzz", now=factories.NOW)[1]
        tokens["open311"] = key
    for role, username in usernames.items():
        browser = Browser(app)
        assert browser.login(username).status_code == 302
        browsers[role] = browser
    anonymous = Browser(app)
    anonymous.refresh_token("/login")
    browsers[None] = anonymous
    yield FuzzWorld(app, world, browsers, tokens)
    with app.app_context():
        db.engine.dispose()


# --- the tests ---------------------------------------------------------------------------


def form_targets(fw: FuzzWorld) -> dict[str, list[Target]]:
    """The crawled forms, and every POST endpoint no page showed, for an allowed role."""
    app = fw.app
    found = crawl(app, fw.browsers, fw.world)
    every_name = sorted({n for targets in found.values() for t in targets for n in t.fields})
    for rule in app.url_map.iter_rules():
        door = guard(app, rule.endpoint)
        if "POST" not in rule.methods or rule.endpoint in found or rule.endpoint in NOT_FUZZED:
            continue
        if door.kind not in ("session", "public") or rule.endpoint.startswith(API):
            continue  # the APIs: test_json_endpoints_…, test_open311_…
        roles = (
            [None]
            if door.kind == "public"
            else [r for r in PREFERRED if allows(r, door.permission)]
        )
        url = url_of(rule, fw.world, "own")
        found[rule.endpoint] = [Target(rule.endpoint, roles[0], "POST", url, tuple(every_name), ())]
    return found


TIANANMEN = {"lon": str(factories.TIANANMEN[0]), "lat": str(factories.TIANANMEN[1])}
# Forms filled in as a user would (one or several ways), over what the page shows:
# hypothesis breaks a field or two of a valid form, which is where a half-done write hides.
VALID = {
    "intake.submit": factories.call_form(),
    "ems.create": {
        **{"caller_phone": "13800138000", "complaint": "胸痛", "triage_level": "1"},
        **{"capability": "chest_pain", "address": "东长安街", **TIANANMEN},
    },
    "ems.book": {
        **{"pickup_at": "2027-01-04T10:00", "caller_phone": "13800138000", **TIANANMEN},
        **{"address": "东长安街", "note": "透析"},
    },
    "ems.lock_number": {"phone": "13900001111", "hours": "24", "reason": "骚扰电话"},
    "ems.post_bulletin": {"text": "今日演练"},
    "ems.withdraw": {"reason": "false_alarm", "note": "误报"},
    "surveys.form": [
        {**factories.SURVEY_ANSWER, "comment": "满意"},
        {"outcome": "later", "call_again_at": "2027-01-04T10:00"},
    ],
    "deadlines.reminder_set": {"remind_at": "2027-01-04T10:00", "note": "催办"},
    "deadlines.extension_request": {"day": "2027-12-31", "reason": "需要协调"},
    "deadlines.extension_decide": {"note": "同意"},
    "orders.act": {"note": "已处理", "public_summary": "已处理"},
    "admin.users": {"username": "fuzz", "display_name": "模糊", "password": factories.PASSWORD},
    "admin.departments": {"name": "模糊测试委员会", "kind": "urban_management", "active": "y"},
    "admin.time_limits": {"order_type": "complaint", "amount": "3", "unit": "working_days"},
    "admin.calendar": {"day": "2027-01-02", "kind": "workday", "note": "调休"},
    "admin.api_clients": {"name": "fuzz-client"},
    "admin.user_token_issue": {"actor_password": factories.PASSWORD},
    "public.status": {"number": "20261120-000001", "last_four": "8000"},  # the first order
}


def filled_in(target: Target) -> list[dict]:
    """The target's form as the page fills it, completed each way VALID knows."""
    ways = VALID.get(target.endpoint, {})
    return [
        {**dict(target.baseline), **way} for way in (ways if isinstance(ways, list) else [ways])
    ]


@st.composite
def form_data(draw, targets: list[Target], pool: list[str]):
    target = draw(st.sampled_from(targets))
    names = list(target.fields) or pool
    start = draw(st.sampled_from(["nothing", "the page's", "valid"]))
    data = {} if start == "nothing" else dict(target.baseline)
    if start == "valid":
        data = draw(st.sampled_from(filled_in(target)))
    for name in draw(st.sets(st.sampled_from(names), max_size=2)):
        data.pop(name, None)  # missing fields
    data.update(draw(fields_for(names)))
    extra_names = st.sampled_from(pool) | st.text(max_size=8).filter(lambda n: n != "csrf_token")
    data.update(draw(st.dictionaries(extra_names, value, max_size=2)))
    return target, data


def logged_in(browser: Browser) -> bool:
    return browser.get("/account/password").status_code == 200  # every role's page


def test_every_form_refuses_nonsense_cleanly(fuzz_world):
    """Every form a page shows (POST and GET) and every other POST endpoint."""
    fw, app = fuzz_world, fuzz_world.app
    targets = form_targets(fw)
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    session_posts = {
        e
        for e in posts
        if guard(app, e).kind in ("session", "public")
        and e not in NOT_FUZZED
        and not e.startswith(API)
    }
    assert session_posts <= set(targets), "every POST form is fuzzed"
    # The crawl reaches the real forms, with their fields.
    assert {"intake.submit", "orders.act", "ems.create", "admin.users", "surveys.form"} <= set(
        targets
    )
    intake = targets["intake.submit"][0]
    assert {"caller_phone", "category_code", "description", "lon", "lat"} <= set(intake.fields)
    pool = sorted({n for ts in targets.values() for t in ts for n in t.fields})

    def send(example):
        target, data = example
        browser = fw.browsers[target.role]
        before = state_before(app)
        with Flashes(app) as flashes:
            if target.method == "GET":
                response = browser.client.get(target.url, query_string=data)
            else:
                body = {**data, "csrf_token": browser.token}
                response = browser.client.post(target.url, data=body)
        return response, flashes.categories, before, target.method

    problems = []
    for endpoint in sorted(targets, key=lambda e: (e in LOCKING, e)):
        if endpoint == LOCKING[0]:
            # Wrong passwords are about to lock accounts: every role was fuzzed logged in.
            logged_out = [r for r, b in fw.browsers.items() if r and not logged_in(b)]
            assert logged_out == [], "sessions lost while fuzzing: the fuzzing lost its reach"
        edges = [
            (target, data)
            for target in targets[endpoint][:2]
            for way in filled_in(target)
            for data in at_the_ends(way, target.fields if target.baseline else tuple(way))
        ]
        problem = fuzz(endpoint, form_data(targets[endpoint], pool), send, app, edges=edges)
        if problem:
            problems.append(problem)
    assert problems == [], "\n".join(problems)


def openapi_operation(rule, method: str) -> dict:
    """The OpenAPI document's operation for an /api/v1 rule ({} when it has none)."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
    return OPENAPI["paths"].get(path, {}).get(method.lower(), {})


def from_schema(schema: dict):
    """Values for a JSON schema of the OpenAPI document, mixed with values of any type."""
    if "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    kind = schema.get("type")
    if kind == "object":
        properties = {k: from_schema(v) for k, v in schema.get("properties", {}).items()}
        exact = st.fixed_dictionaries({}, optional=properties)
    elif kind == "array":
        exact = st.lists(from_schema(schema.get("items", {})), max_size=3)
    elif "enum" in schema:
        exact = st.sampled_from(schema["enum"])
    elif schema.get("format") == "date-time":
        exact = moment
    elif kind in ("number", "integer"):
        exact = st.floats() | st.integers(min_value=-(2**70), max_value=2**70)
    else:
        exact = value
    return st.one_of(exact, exact, json_value)


def instance(schema: dict, moment_value: str):
    """A small valid instance of a JSON schema, its date-times set to `moment_value`."""
    if "$ref" in schema:
        schema = OPENAPI["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    kind = schema.get("type")
    if kind == "object":
        return {k: instance(v, moment_value) for k, v in schema.get("properties", {}).items()}
    if kind == "array":
        return [instance(schema.get("items", {}), moment_value)]
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date-time":
        return moment_value
    if kind in ("number", "integer"):
        return (schema.get("minimum", 0) + schema.get("maximum", 0)) / 2
    return "x"


def test_json_endpoints_refuse_nonsense_cleanly(fuzz_world):
    """Every /api/v1 endpoint of the URL map: a user's token (of roles the table allows)
    with query strings from the OpenAPI document's parameters, a terminal's token with JSON
    bodies from its schemas (or raw bytes)."""
    fw, app = fuzz_world, fuzz_world.app
    client = app.test_client()
    problems, fuzzed = [], set()
    numbers = st.sampled_from([fw.world.own_order, fw.world.other_order, "0", "x" * 5000]) | value
    for rule in app.url_map.iter_rules():
        door = guard(app, rule.endpoint)
        if door.kind not in ("token", "terminal"):
            continue
        fuzzed.add(rule.endpoint)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation = openapi_operation(rule, method)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            if door.kind == "token":
                holders = [r for r in PREFERRED if allows(r, door.permission)][:3]
            else:
                holders = ["terminal"]
            auths = [{"Authorization": f"Bearer {fw.tokens[h]}"} for h in holders]
            auth, headers = auths[0], st.sampled_from(auths)
            schema = operation.get("requestBody", {}).get("content", {})
            schema = schema.get("application/json", {}).get("schema", {"type": "object"})
            body = (
                st.one_of(from_schema(schema), st.binary(max_size=60))
                if method == "POST"
                else st.none()
            )
            query = fields_for(names) if names else st.just({})
            query = query | st.dictionaries(st.text(max_size=6), field_value, max_size=3)
            number = numbers if ORDER_ARGUMENT in rule.rule else st.just(fw.world.own_order)
            strategy = st.tuples(headers, query, body, number.filter(bool))

            def send(example, rule=rule, method=method):
                headers, query, body, number = example
                url = url_of(rule, fw.world, "own").replace(
                    fw.world.own_order, quote(number, safe="")
                )
                before = state_before(app)
                if isinstance(body, bytes):
                    response = client.open(
                        url,
                        method=method,
                        data=body,
                        content_type="application/json",
                        headers=headers,
                    )
                else:
                    response = client.open(
                        url, method=method, query_string=query, json=body, headers=headers
                    )
                return response, [], before, method

            name = f"{method} {rule.rule}"
            edges = [(auth, q, None, fw.world.own_order) for q in at_the_ends({}, names)]
            if method == "POST":
                edges += [(auth, {}, instance(schema, end), fw.world.own_order) for end in FAR_ENDS]
            problems.append(fuzz(name, strategy, send, app, API_EXAMPLES, edges))
    assert {"api.order_list", "api.order_detail", "api.vehicle_status"} <= fuzzed
    problems = [p for p in problems if p]
    assert problems == [], "\n".join(problems)


# GeoReport v2's fields of a new request, and this server's service attributes.
OPEN311_FIELDS = [
    *("service_code", "lat", "long", "address_string", "address_id", "description"),
    *("email", "device_id", "account_id", "first_name", "last_name", "phone", "media_url"),
    *("attribute[room_temperature]", "attribute[x]", "jurisdiction_id"),
]
OPEN311_QUERY = [
    *("service_request_id", "service_code", "start_date", "end_date", "status", "after"),
    *("page", "page_size", "jurisdiction_id"),
]


def test_open311_refuses_nonsense_cleanly(fuzz_world):
    fw, app = fuzz_world, fuzz_world.app
    client = app.test_client()
    valid = {"service_code": "0401", "lat": "39.9087", "long": "116.3975", "description": "噪音"}
    key = fw.tokens["open311"]

    def send_post(example):
        fmt, fields, with_valid, with_key = example
        data = {**(valid if with_valid else {}), **fields}
        if with_key:
            data["api_key"] = key
        before = state_before(app)
        response = client.post(f"/open311/v2/requests.{fmt}", data=data)
        return response, [], before, "POST"

    post = st.tuples(
        st.sampled_from(["json", "xml"]),
        fields_for(OPEN311_FIELDS),
        st.booleans(),
        st.booleans(),
    )

    def send_get(example):
        fmt, query = example
        before = state_before(app)
        response = client.get(f"/open311/v2/requests.{fmt}", query_string=query)
        return response, [], before, "GET"

    get = st.tuples(
        st.sampled_from(["json", "xml", "csv"]),
        fields_for(OPEN311_QUERY),
    )
    problems = [
        fuzz("POST /open311/v2/requests", post, send_post, app, API_EXAMPLES),
        fuzz(
            "GET /open311/v2/requests",
            get,
            send_get,
            app,
            API_EXAMPLES,
            [("json", q) for q in at_the_ends({}, OPEN311_QUERY)],
        ),
    ]
    problems = [p for p in problems if p]
    assert problems == [], "\n".join(problems)


# --- what the fuzzing found --------------------------------------------------------------

FAR = ["0001-01-01", "9999-12-31"]
FAR_MOMENTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


def test_days_at_the_ends_of_the_calendar_are_refused_not_failed(fuzz_world):
    """Year 1 and year 9999 overflowed when moved to UTC or widened into a window: the
    order search and its API, Open311's dates, the KPI and report periods, the audit
    administrator's filters, track replay, reminders, bookings, surveys' call-again time and
    the terminals' clock all answered 500. Now each is refused like a malformed date
    (the audit filters ignore it, like any malformed day)."""
    fw, app = fuzz_world, fuzz_world.app
    supervisor, auditor = fw.browsers[Role.SUPERVISOR], fw.browsers[Role.AUDIT_ADMIN]
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {fw.tokens[Role.SUPERVISOR]}"}
    terminal = {"Authorization": f"Bearer {fw.tokens['terminal']}"}
    world, answers = fw.world, {}
    for day in FAR:
        answers[f"orders {day}"] = supervisor.get(f"/orders?date_from={day}&date_to={day}")
        answers[f"api {day}"] = api.get(f"/api/v1/orders?date_from={day}", headers=bearer)
        answers[f"api to {day}"] = api.get(f"/api/v1/orders?date_to={day}", headers=bearer)
        answers[f"kpi {day}"] = supervisor.get(f"/kpi?from={day}&to={day}")
        for kind in ("week", "month", "year"):
            url = f"/reports/download?kind={kind}&day={day}&format=xlsx"
            answers[f"report {kind} {day}"] = supervisor.get(url)
        for page in ("/admin/audit-trail", "/admin/security-log"):
            answers[f"{page} {day}"] = auditor.get(f"{page}?from={day}&to={day}")
        for name in ("start_date", "end_date"):
            answers[f"open311 {name} {day}"] = api.get(
                f"/open311/v2/requests.json?{name}={day}T00:00:00"
            )
    for at in FAR_MOMENTS:
        track = {"from": at, "to": "2026-11-20T10:00:00+08:00"}
        answers[f"track {at}"] = supervisor.get(
            f"/ems/vehicles/{world.own_vehicle}/track.geojson", query_string=track
        )
        answers[f"reminder {at}"] = supervisor.post(
            f"/orders/{world.own_order}/reminder", {"remind_at": at, "note": "催办"}
        )
        booking = {**VALID["ems.book"], "pickup_at": at}
        answers[f"booking {at}"] = supervisor.post("/ems/bookings", booking)
        survey = {"outcome": "later", "call_again_at": at}
        answers[f"survey {at}"] = supervisor.post(f"/surveys/{world.values['survey_id']}", survey)
        for kind, body in (
            ("status", {"status": "out_of_service", "at": at}),
            ("positions", {"lon": 116.4, "lat": 39.9, "at": at}),
        ):
            answers[f"terminal {kind} {at}"] = api.post(
                f"/api/v1/vehicles/{world.own_vehicle}/{kind}", json=body, headers=terminal
            )
    failed = {name: r.status_code for name, r in answers.items() if r.status_code >= 500}
    assert failed == {}
    refused = {name for name, r in answers.items() if r.status_code in (400, 422)}
    assert {"api 0001-01-01", "open311 end_date 0001-01-01", "survey " + FAR_MOMENTS[1]} <= refused
    assert "terminal status " + FAR_MOMENTS[0] in refused


def test_a_new_account_posted_without_a_password_is_refused(fuzz_world):
    """The new-account form posted without its password field answered 500."""
    admin = fuzz_world.browsers[Role.SYSTEM_ADMIN]
    response = admin.post("/admin/users", {"username": "nopassword", "display_name": "无密码"})
    assert response.status_code == 422
    assert "nopassword" not in admin.get("/admin/users").get_data(as_text=True)
