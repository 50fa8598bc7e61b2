"""The OpenAPI 3 description of /api/v1 (served at /api/v1/openapi.json): the orders (a
user's token), the 120 recommendation (a 120 dispatcher's token) and the vehicles' status and
positions (the vehicle terminal's own token)."""

from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.orders.intake import OrderType
from hotline.core.orders.workflow import State
from hotline.core.places.keys import MAX_SUGGESTIONS

USER_SCHEME = "userToken"
TERMINAL_SCHEME = "terminalToken"
MAX_PAGE_SIZE = 100
MAX_RECOMMENDATIONS = 20
MAX_POSITIONS = 500

_STRING = {"type": "string"}
_NULLABLE_STRING = {"type": "string", "nullable": True}
_TIME = {"type": "string", "format": "date-time"}
_INTEGER = {"type": "integer"}


def _object(required: list[str], **properties) -> dict:
    return {"type": "object", "required": required, "properties": properties}


def _nullable(**properties) -> dict:
    return {"type": "object", "nullable": True, "properties": properties}


def _ref(schema: str) -> dict:
    return {"$ref": f"#/components/schemas/{schema}"}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": _ref(schema)}}


def _parameter(name: str, where: str, schema: dict, description: str = "") -> dict:
    parameter = {"name": name, "in": where, "required": where == "path", "schema": schema}
    return {**parameter, "description": description} if description else parameter


# "since" of the list endpoints (hotspots, calls): web/api.since_argument reads it.
_SINCE = _parameter(
    "since", "query", _TIME, "With a time zone (2026-11-20T08:00:00+08:00); default: the last day"
)


_FILTERS = [
    (
        "number",
        "Order number, e.g. 20261122-000123",
        {"type": "string", "pattern": "^[0-9-]{1,20}$"},
    ),
    ("caller_phone", "Caller phone (Chinese mobile or landline)", _STRING),
    ("date_from", "First local day received", {"type": "string", "format": "date"}),
    (
        "date_to",
        "Last local day received (not before date_from)",
        {"type": "string", "format": "date"},
    ),
    ("state", "Work-order state", {"type": "string", "enum": [s.value for s in State]}),
    ("order_type", "Order type", {"type": "string", "enum": [t.value for t in OrderType]}),
    ("district_code", "District code, e.g. 110105", _STRING),
    ("department_id", "Department id", {"type": "integer", "minimum": 0, "maximum": 999999999}),
    ("category_code", "Category code (major or minor)", _STRING),
    ("page", "Page number, from 1", {"type": "integer", "minimum": 1}),
    ("page_size", "Orders per page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
]
MAX_KB_RESULTS = 20
MAX_ADDRESS = 200  # the intake form's address field
MAX_PLACE_QUERY = 100  # what the address box sends to /places
_RECOMMEND = [
    ("lon", "Longitude (WGS84 degrees)", {"type": "number", "minimum": -180, "maximum": 180}),
    ("lat", "Latitude (WGS84 degrees)", {"type": "number", "minimum": -90, "maximum": 90}),
    (
        "k",
        "How many vehicles (default 3)",
        {"type": "integer", "minimum": 1, "maximum": MAX_RECOMMENDATIONS},
    ),
]

_EVENT = _object([], at=_TIME, action=_STRING, to_state=_STRING, note=_STRING)
_EVENT["properties"].update(from_state=_NULLABLE_STRING, actor=_NULLABLE_STRING)
_ORDER = _object(
    ["number", "state", "type", "category", "created_at", "due_at"],
    number=_STRING,
    state=_STRING,
    type=_STRING,
    channel=_STRING,
    category=_object([], code=_STRING, name=_STRING),
    department=_nullable(id=_INTEGER, name=_STRING),
    district=_nullable(code=_STRING, name=_STRING),
    location=_nullable(lon={"type": "number"}, lat={"type": "number"}),
    address=_STRING,
    description=_STRING,
    confidential={"type": "boolean"},
    caller={
        **_nullable(name=_STRING, phone=_STRING),
        "description": "Masked or absent as the user's role requires.",
    },
    created_at=_TIME,
    due_at=_TIME,
    closed_at={**_NULLABLE_STRING, "format": "date-time"},
    escalation_level=_INTEGER,
    synthetic={"type": "boolean"},
    events={"type": "array", "items": _EVENT},
)
_POSITION = _object(
    ["lon", "lat"],
    lon={"type": "number", "minimum": -180, "maximum": 180},
    lat={"type": "number", "minimum": -90, "maximum": 90},
    at={**_TIME, "description": "With a time zone; not ahead of the server by over 5 minutes"},
)
SCHEMAS = {
    "Order": _ORDER,
    "OrderPage": _object(
        ["items", "total", "page", "page_size"],
        items={"type": "array", "items": _ref("Order")},
        total=_INTEGER,
        page=_INTEGER,
        page_size=_INTEGER,
    ),
    "Recommendation": _object(
        ["vehicles"],
        vehicles={
            "type": "array",
            "items": _object(
                ["vehicle_id", "call_sign", "station", "distance_m", "minutes"],
                vehicle_id=_INTEGER,
                call_sign=_STRING,
                station=_STRING,
                distance_m={"type": "number"},
                minutes={"type": "number"},
                minutes_is_estimate={"type": "boolean"},
            ),
        },
    ),
    "StatusChange": _object(
        ["status"],
        status={"type": "string", "enum": [s.value for s in VehicleStatus]},
        at={**_TIME, "description": "With a time zone; the server's time when absent"},
    ),
    "VehicleStatus": _object(["vehicle_id", "status"], vehicle_id=_INTEGER, status=_STRING),
    "Position": _POSITION,
    "Positions": _object(
        ["positions"],
        positions={
            "type": "array",
            "items": _ref("Position"),
            "minItems": 1,
            "maxItems": MAX_POSITIONS,
        },
    ),
    "Accepted": _object(["vehicle_id", "accepted"], vehicle_id=_INTEGER, accepted=_INTEGER),
    "KbResults": _object(
        ["items"],
        items={
            "type": "array",
            "items": _object(
                ["id", "title", "category", "score", "snippet"],
                id=_INTEGER,
                title=_STRING,
                category={**_STRING, "description": "The category's path, 社会保障 / 社保卡"},
                score={"type": "number"},
                snippet=_STRING,
            ),
        },
    ),
    "Located": _object(
        ["district_code", "district", "street_code", "street", "confidence"],
        district_code={**_NULLABLE_STRING, "description": "110105"},
        district={**_NULLABLE_STRING, "description": "朝阳区"},
        street_code={**_NULLABLE_STRING, "description": "110105004; null when not known"},
        street={**_NULLABLE_STRING, "description": "朝阳区三里屯街道; null when not known"},
        confidence={"type": "number", "minimum": 0, "maximum": 1},
    ),
    "Hotspots": _object(
        ["items"],
        items={
            "type": "array",
            "items": _object(
                ["id", "state", "category", "lon", "lat", "radius_m", "orders", "order_numbers"],
                id=_INTEGER,
                state={"type": "string", "enum": ["open", "closed"]},
                category=_object(["code", "name"], code=_STRING, name=_STRING),
                district={
                    **_object(["code", "name"], code=_STRING, name=_STRING),
                    "nullable": True,
                },
                lon={"type": "number"},
                lat={"type": "number"},
                radius_m={"type": "number"},
                orders={**_INTEGER, "description": "How many orders it holds"},
                growth={**_INTEGER, "description": "Orders it gained in its latest run"},
                first_at=_TIME,
                last_at=_TIME,
                updated_at=_TIME,
                order_numbers={"type": "array", "items": _STRING},
            ),
        },
    ),
    "Calls": _object(
        ["items"],
        items={
            "type": "array",
            "items": _object(
                ["id", "call_id", "caller", "called", "queued_at", "outcome"],
                id={**_INTEGER, "description": "For the next page: ?after=<the last id>"},
                call_id={**_STRING, "description": "The SIP Call-ID"},
                caller=_STRING,
                called={**_STRING, "description": "12345 or 120"},
                queued_at={**_TIME, "description": "When the call reached the queue"},
                offered_at={**_TIME, "nullable": True, "description": "An agent's phone rang"},
                answered_at={**_TIME, "nullable": True},
                ended_at={**_TIME, "nullable": True},
                agent={**_NULLABLE_STRING, "description": "The answering agent's username"},
                outcome={
                    "type": "string",
                    "nullable": True,
                    "enum": ["answered", "abandoned", "not_answered", "rejected", None],
                    "description": "null while the call goes on",
                },
                order={**_NULLABLE_STRING, "description": "The work order it produced"},
                recording={**_NULLABLE_STRING, "description": "The recording's file name"},
            ),
        },
    ),
    "SimilarOrders": _object(
        ["items"],
        items={
            "type": "array",
            "items": _object(
                ["number", "state", "distance_m", "score"],
                number=_STRING,
                state=_STRING,
                open={"type": "boolean"},
                category=_STRING,
                address=_STRING,
                description={**_STRING, "description": "Its first 120 characters"},
                created_at=_TIME,
                distance_m={"type": "number", "description": "Great-circle metres"},
                hours_apart={"type": "number"},
                text_similarity={"type": "number", "minimum": 0, "maximum": 1},
                related_category={"type": "boolean", "description": "A sibling category"},
                score={"type": "number", "minimum": 0, "maximum": 1},
            ),
        },
    ),
    "Places": _object(
        ["items"],
        items={
            "type": "array",
            "items": _object(
                ["name", "kind", "lon", "lat", "district"],
                name=_STRING,
                kind=_STRING,
                lon={"type": "number"},
                lat={"type": "number"},
                district=_STRING,
            ),
        },
    ),
    "Error": _object(
        ["error"],
        error=_STRING,
        description=_STRING,
        errors={"type": "object", "additionalProperties": {"type": "string"}},
    ),
}

# The answers every operation of a kind of token may give besides its own.
_REFUSALS = {
    USER_SCHEME: {
        "401": "Missing or invalid token",
        "403": "The token's role may not do this",
    },
    TERMINAL_SCHEME: {
        "401": "Missing or invalid terminal token",
        "403": "The token belongs to another vehicle's terminal",
        "404": "No such vehicle",
    },
}


def _operation(
    operation_id: str, summary: str, token: str, answers: dict[str, tuple[str, str]], **extra
) -> dict:
    """One operation: its own answers (status -> description, schema) and its token's refusals."""
    responses = {
        status: {"description": text, "content": _json(schema)}
        for status, (text, schema) in answers.items()
    }
    for status, text in _REFUSALS[token].items():
        responses.setdefault(status, {"description": text, "content": _json("Error")})
    security = [{token: []}]
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": security,
        **extra,
        "responses": dict(sorted(responses.items())),
    }


def _body(schema: str) -> dict:
    return {"required": True, "content": _json(schema)}


_INVALID = ("The request is malformed", "Error")
_REFUSED = ("The change is not allowed (for example, times going backwards)", "Error")
_RACE = ("Someone changed the vehicle first", "Error")
_OUTSIDE = ("A fix is outside the valid coordinates", "Error")


def _terminal_post(
    operation_id: str, summary: str, body: str, answers: dict[str, tuple[str, str]]
) -> dict:
    """A vehicle terminal's report about its own vehicle: a JSON body, 400 when malformed."""
    return _operation(
        operation_id,
        summary,
        TERMINAL_SCHEME,
        {**answers, "400": _INVALID},
        parameters=[_parameter("vehicle_id", "path", {"type": "integer", "minimum": 1})],
        requestBody=_body(body),
    )


PATHS = {
    "/orders": {
        "get": _operation(
            "listOrders",
            "Search orders (newest first), paginated",
            USER_SCHEME,
            {"200": ("A page of orders", "OrderPage"), "400": ("Invalid filters", "Error")},
            parameters=[_parameter(n, "query", s, d) for n, d, s in _FILTERS],
        )
    },
    "/orders/{number}": {
        "get": _operation(
            "getOrder",
            "One order with its audit events",
            USER_SCHEME,
            {"200": ("The order", "Order"), "404": ("No such order for this user", "Error")},
            parameters=[_parameter("number", "path", _STRING)],
        )
    },
    "/orders/{number}/similar": {
        "get": _operation(
            "getSimilarOrders",
            "Open or recent orders probably about the same matter (并单 candidates), best first",
            USER_SCHEME,
            {
                "200": ("Candidates with distance and score", "SimilarOrders"),
                "404": ("No such order for this user", "Error"),
            },
            parameters=[_parameter("number", "path", _STRING)],
        )
    },
    "/dispatch/recommend": {
        "get": _operation(
            "recommendVehicles",
            "The nearest available ambulances for a point (120 dispatchers)",
            USER_SCHEME,
            {"200": ("Vehicles, nearest first", "Recommendation"), "400": _INVALID},
            parameters=[
                {**_parameter(n, "query", s, d), "required": n != "k"} for n, d, s in _RECOMMEND
            ],
        )
    },
    "/kb/search": {
        "get": _operation(
            "searchKnowledgeBase",
            "Published, currently valid knowledge-base articles for a question, best first",
            USER_SCHEME,
            {"200": ("Articles in rank order", "KbResults"), "400": _INVALID},
            parameters=[
                {**_parameter("q", "query", _STRING, "The question, as typed"), "required": True},
                _parameter(
                    "k",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": MAX_KB_RESULTS},
                    "How many articles (default 5)",
                ),
            ],
        )
    },
    "/locate": {
        "get": _operation(
            "locateAddress",
            "The district and the 街乡镇 (sub-district or town) a typed address names",
            USER_SCHEME,
            {"200": ("Where the address is", "Located"), "400": _INVALID},
            parameters=[
                {
                    **_parameter(
                        "address",
                        "query",
                        {"type": "string", "maxLength": MAX_ADDRESS},
                        "The address, as typed: 北京市朝阳区三里屯街道工体北路8号院",
                    ),
                    "required": True,
                },
            ],
        )
    },
    "/places": {
        "get": _operation(
            "suggestPlaces",
            "Named places (小区, schools, hospitals, bus stops, junctions) for typed text: "
            "prefix, full text or pinyin initials (gtbl for 工体北路), best first",
            USER_SCHEME,
            {"200": ("Places in rank order", "Places"), "400": _INVALID},
            parameters=[
                {
                    **_parameter(
                        "q",
                        "query",
                        {"type": "string", "minLength": 1, "maxLength": MAX_PLACE_QUERY},
                        "What is typed: 工体, 工体北路 or gtbl",
                    ),
                    "required": True,
                },
                _parameter(
                    "k",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS},
                    "How many places (default 5)",
                ),
            ],
        )
    },
    "/hotspots": {
        "get": _operation(
            "listHotspots",
            "Hotspots (热点) raised or grown since a time, with their member orders",
            USER_SCHEME,
            {"200": ("Hotspots, newest change first", "Hotspots"), "400": _INVALID},
            parameters=[
                _SINCE,
            ],
        )
    },
    "/calls": {
        "get": _operation(
            "listCalls",
            "Call records that reached the line since a time, oldest first, 100 a page",
            USER_SCHEME,
            {"200": ("Calls", "Calls"), "400": _INVALID},
            parameters=[
                _SINCE,
                _parameter("after", "query", {"type": "integer", "minimum": 0}, "The last id seen"),
            ],
        )
    },
    "/vehicles/{vehicle_id}/status": {
        "post": _terminal_post(
            "reportVehicleStatus",
            "A status change from the vehicle's terminal",
            "StatusChange",
            {"200": ("The vehicle's status now", "VehicleStatus"), "422": _REFUSED, "409": _RACE},
        )
    },
    "/vehicles/{vehicle_id}/positions": {
        "post": _terminal_post(
            "reportVehiclePositions",
            f"GPS fixes from the vehicle's terminal (1 to {MAX_POSITIONS})",
            "Positions",
            {"201": ("The fixes were recorded", "Accepted"), "422": _OUTSIDE},
        )
    },
}

OPENAPI = {
    "openapi": "3.0.3",
    "info": {
        "title": "12345 hotline and 120 API",
        "version": "1.1.0",
        "description": "Work orders as the token's user sees them on the pages: department "
        "staff only their department's, phones masked for roles that do not need them. "
        "The 120 recommendation for dispatchers' tokens; status and GPS positions from each "
        "ambulance's terminal, with that vehicle's own token.",
    },
    "servers": [{"url": "/api/v1"}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            USER_SCHEME: {
                "type": "http",
                "scheme": "bearer",
                "description": "A user's API token (issued by an admin on the user's page)",
            },
            TERMINAL_SCHEME: {
                "type": "http",
                "scheme": "bearer",
                "description": "A vehicle terminal's token (issued under 120 resources)",
            },
        },
        "schemas": SCHEMAS,
    },
}
