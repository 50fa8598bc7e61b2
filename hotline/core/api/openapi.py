"""The OpenAPI 3 description of /api/v1 (served at /api/v1/openapi.json): the orders (a
user's token), the 120 recommendation (a 120 dispatcher's token) and the vehicles' status and
positions (the vehicle terminal's own token)."""

from hotline.core.api import openapi_crew, openapi_incidents, openapi_patients
from hotline.core.api.openapi_build import (
    INTEGER,
    INVALID,
    MAX_POSITIONS,
    MAX_RECOMMENDATIONS,
    NULLABLE_STRING,
    OUTSIDE,
    RACE,
    REFUSED,
    STRING,
    TERMINAL_SCHEME,
    TIME,
    USER_SCHEME,
    nullable,
    obj,
    operation,
    parameter,
    ref,
    terminal_post,
)
from hotline.core.ems.vehicles import VehicleStatus
from hotline.core.orders.intake import OrderType
from hotline.core.orders.workflow import State
from hotline.core.places.keys import MAX_SUGGESTIONS

MAX_PAGE_SIZE = 100

# "since" of the list endpoints (hotspots, calls): web/api.since_argument reads it.
_SINCE = parameter(
    "since", "query", TIME, "With a time zone (2026-11-20T08:00:00+08:00); default: the last day"
)


_FILTERS = [
    (
        "number",
        "Order number, e.g. 20261122-000123",
        {"type": "string", "pattern": "^[0-9-]{1,20}$"},
    ),
    ("caller_phone", "Caller phone (Chinese mobile or landline)", STRING),
    ("date_from", "First local day received", {"type": "string", "format": "date"}),
    (
        "date_to",
        "Last local day received (not before date_from)",
        {"type": "string", "format": "date"},
    ),
    ("state", "Work-order state", {"type": "string", "enum": [s.value for s in State]}),
    ("order_type", "Order type", {"type": "string", "enum": [t.value for t in OrderType]}),
    ("district_code", "District code, e.g. 110105", STRING),
    ("department_id", "Department id", {"type": "integer", "minimum": 0, "maximum": 999999999}),
    ("category_code", "Category code (major or minor)", STRING),
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

_EVENT = obj([], at=TIME, action=STRING, to_state=STRING, note=STRING)
_EVENT["properties"].update(from_state=NULLABLE_STRING, actor=NULLABLE_STRING)
_ORDER = obj(
    ["number", "state", "type", "category", "created_at", "due_at"],
    number=STRING,
    state=STRING,
    type=STRING,
    channel=STRING,
    category=obj([], code=STRING, name=STRING),
    department=nullable(id=INTEGER, name=STRING),
    district=nullable(code=STRING, name=STRING),
    location=nullable(lon={"type": "number"}, lat={"type": "number"}),
    address=STRING,
    description=STRING,
    confidential={"type": "boolean"},
    caller={
        **nullable(name=STRING, phone=STRING),
        "description": "Masked or absent as the user's role requires.",
    },
    created_at=TIME,
    due_at=TIME,
    closed_at={**NULLABLE_STRING, "format": "date-time"},
    escalation_level=INTEGER,
    synthetic={"type": "boolean"},
    events={"type": "array", "items": _EVENT},
)
_POSITION = obj(
    ["lon", "lat"],
    lon={"type": "number", "minimum": -180, "maximum": 180},
    lat={"type": "number", "minimum": -90, "maximum": 90},
    at={**TIME, "description": "With a time zone; not ahead of the server by over 5 minutes"},
)
SCHEMAS = {
    "Order": _ORDER,
    "OrderPage": obj(
        ["items", "total", "page", "page_size"],
        items={"type": "array", "items": ref("Order")},
        total=INTEGER,
        page=INTEGER,
        page_size=INTEGER,
    ),
    "Recommendation": obj(
        ["vehicles"],
        vehicles={
            "type": "array",
            "items": obj(
                ["vehicle_id", "call_sign", "station", "distance_m", "minutes"],
                vehicle_id=INTEGER,
                call_sign=STRING,
                station=STRING,
                distance_m={"type": "number"},
                minutes={"type": "number"},
                minutes_is_estimate={"type": "boolean"},
            ),
        },
    ),
    "StatusChange": obj(
        ["status"],
        status={"type": "string", "enum": [s.value for s in VehicleStatus]},
        at={**TIME, "description": "With a time zone; the server's time when absent"},
    ),
    "VehicleStatus": obj(["vehicle_id", "status"], vehicle_id=INTEGER, status=STRING),
    "Position": _POSITION,
    "Positions": obj(
        ["positions"],
        positions={
            "type": "array",
            "items": ref("Position"),
            "minItems": 1,
            "maxItems": MAX_POSITIONS,
        },
    ),
    "Accepted": obj(["vehicle_id", "accepted"], vehicle_id=INTEGER, accepted=INTEGER),
    "KbResults": obj(
        ["items"],
        items={
            "type": "array",
            "items": obj(
                ["id", "title", "category", "score", "snippet"],
                id=INTEGER,
                title=STRING,
                category={**STRING, "description": "The category's path, 社会保障 / 社保卡"},
                score={"type": "number"},
                snippet=STRING,
            ),
        },
    ),
    "Located": obj(
        ["district_code", "district", "street_code", "street", "confidence"],
        district_code={**NULLABLE_STRING, "description": "110105"},
        district={**NULLABLE_STRING, "description": "朝阳区"},
        street_code={**NULLABLE_STRING, "description": "110105004; null when not known"},
        street={**NULLABLE_STRING, "description": "朝阳区三里屯街道; null when not known"},
        confidence={"type": "number", "minimum": 0, "maximum": 1},
    ),
    "Hotspots": obj(
        ["items"],
        items={
            "type": "array",
            "items": obj(
                ["id", "state", "category", "lon", "lat", "radius_m", "orders", "order_numbers"],
                id=INTEGER,
                state={"type": "string", "enum": ["open", "closed"]},
                category=obj(["code", "name"], code=STRING, name=STRING),
                district={
                    **obj(["code", "name"], code=STRING, name=STRING),
                    "nullable": True,
                },
                lon={"type": "number"},
                lat={"type": "number"},
                radius_m={"type": "number"},
                orders={**INTEGER, "description": "How many orders it holds"},
                growth={**INTEGER, "description": "Orders it gained in its latest run"},
                first_at=TIME,
                last_at=TIME,
                updated_at=TIME,
                order_numbers={"type": "array", "items": STRING},
            ),
        },
    ),
    "Calls": obj(
        ["items"],
        items={
            "type": "array",
            "items": obj(
                ["id", "call_id", "caller", "called", "queued_at", "outcome"],
                id={**INTEGER, "description": "For the next page: ?after=<the last id>"},
                call_id={**STRING, "description": "The SIP Call-ID"},
                caller=STRING,
                called={**STRING, "description": "12345 or 120"},
                queued_at={**TIME, "description": "When the call reached the queue"},
                offered_at={**TIME, "nullable": True, "description": "An agent's phone rang"},
                answered_at={**TIME, "nullable": True},
                ended_at={**TIME, "nullable": True},
                agent={**NULLABLE_STRING, "description": "The answering agent's username"},
                outcome={
                    "type": "string",
                    "nullable": True,
                    "enum": ["answered", "abandoned", "not_answered", "rejected", None],
                    "description": "null while the call goes on",
                },
                order={**NULLABLE_STRING, "description": "The work order it produced"},
                recording={**NULLABLE_STRING, "description": "The recording's file name"},
            ),
        },
    ),
    "SimilarOrders": obj(
        ["items"],
        items={
            "type": "array",
            "items": obj(
                ["number", "state", "distance_m", "score"],
                number=STRING,
                state=STRING,
                open={"type": "boolean"},
                category=STRING,
                address=STRING,
                description={**STRING, "description": "Its first 120 characters"},
                created_at=TIME,
                distance_m={"type": "number", "description": "Great-circle metres"},
                hours_apart={"type": "number"},
                text_similarity={"type": "number", "minimum": 0, "maximum": 1},
                related_category={"type": "boolean", "description": "A sibling category"},
                score={"type": "number", "minimum": 0, "maximum": 1},
            ),
        },
    ),
    "Places": obj(
        ["items"],
        items={
            "type": "array",
            "items": obj(
                ["name", "kind", "lon", "lat", "district"],
                name=STRING,
                kind=STRING,
                lon={"type": "number"},
                lat={"type": "number"},
                district=STRING,
            ),
        },
    ),
    "Error": obj(
        ["error"],
        error=STRING,
        description=STRING,
        errors={"type": "object", "additionalProperties": {"type": "string"}},
        codes={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "The refusal's code by field (invalid_phone...), for programs",
        },
    ),
}

PATHS = {
    "/orders": {
        "get": operation(
            "listOrders",
            "Search orders (newest first), paginated",
            USER_SCHEME,
            {"200": ("A page of orders", "OrderPage"), "400": ("Invalid filters", "Error")},
            parameters=[parameter(n, "query", s, d) for n, d, s in _FILTERS],
        )
    },
    "/orders/{number}": {
        "get": operation(
            "getOrder",
            "One order with its audit events",
            USER_SCHEME,
            {"200": ("The order", "Order"), "404": ("No such order for this user", "Error")},
            parameters=[parameter("number", "path", STRING)],
        )
    },
    "/orders/{number}/similar": {
        "get": operation(
            "getSimilarOrders",
            "Open or recent orders probably about the same matter (并单 candidates), best first",
            USER_SCHEME,
            {
                "200": ("Candidates with distance and score", "SimilarOrders"),
                "404": ("No such order for this user", "Error"),
            },
            parameters=[parameter("number", "path", STRING)],
        )
    },
    "/dispatch/recommend": {
        "get": operation(
            "recommendVehicles",
            "The nearest available ambulances for a point (120 dispatchers)",
            USER_SCHEME,
            {"200": ("Vehicles, nearest first", "Recommendation"), "400": INVALID},
            parameters=[
                {**parameter(n, "query", s, d), "required": n != "k"} for n, d, s in _RECOMMEND
            ],
        )
    },
    "/kb/search": {
        "get": operation(
            "searchKnowledgeBase",
            "Published, currently valid knowledge-base articles for a question, best first",
            USER_SCHEME,
            {"200": ("Articles in rank order", "KbResults"), "400": INVALID},
            parameters=[
                {**parameter("q", "query", STRING, "The question, as typed"), "required": True},
                parameter(
                    "k",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": MAX_KB_RESULTS},
                    "How many articles (default 5)",
                ),
            ],
        )
    },
    "/locate": {
        "get": operation(
            "locateAddress",
            "The district and the 街乡镇 (sub-district or town) a typed address names",
            USER_SCHEME,
            {"200": ("Where the address is", "Located"), "400": INVALID},
            parameters=[
                {
                    **parameter(
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
        "get": operation(
            "suggestPlaces",
            "Named places (小区, schools, hospitals, bus stops, junctions) for typed text: "
            "prefix, full text or pinyin initials (gtbl for 工体北路), best first",
            USER_SCHEME,
            {"200": ("Places in rank order", "Places"), "400": INVALID},
            parameters=[
                {
                    **parameter(
                        "q",
                        "query",
                        {"type": "string", "minLength": 1, "maxLength": MAX_PLACE_QUERY},
                        "What is typed: 工体, 工体北路 or gtbl",
                    ),
                    "required": True,
                },
                parameter(
                    "k",
                    "query",
                    {"type": "integer", "minimum": 1, "maximum": MAX_SUGGESTIONS},
                    "How many places (default 5)",
                ),
            ],
        )
    },
    "/hotspots": {
        "get": operation(
            "listHotspots",
            "Hotspots (热点) raised or grown since a time, with their member orders",
            USER_SCHEME,
            {"200": ("Hotspots, newest change first", "Hotspots"), "400": INVALID},
            parameters=[
                _SINCE,
            ],
        )
    },
    "/calls": {
        "get": operation(
            "listCalls",
            "Call records that reached the line since a time, oldest first, 100 a page",
            USER_SCHEME,
            {"200": ("Calls", "Calls"), "400": INVALID},
            parameters=[
                _SINCE,
                parameter("after", "query", {"type": "integer", "minimum": 0}, "The last id seen"),
            ],
        )
    },
    "/vehicles/{vehicle_id}/status": {
        "post": terminal_post(
            "reportVehicleStatus",
            "A status change from the vehicle's terminal",
            "StatusChange",
            {"200": ("The vehicle's status now", "VehicleStatus"), "422": REFUSED, "409": RACE},
        )
    },
    "/vehicles/{vehicle_id}/positions": {
        "post": terminal_post(
            "reportVehiclePositions",
            f"GPS fixes from the vehicle's terminal (1 to {MAX_POSITIONS})",
            "Positions",
            {"201": ("The fixes were recorded", "Accepted"), "422": OUTSIDE},
        )
    },
}

# The 120 crew's terminal, its patient records and the linked centres' incidents.
for _part in (openapi_crew, openapi_patients, openapi_incidents):
    PATHS.update(_part.PATHS)
    SCHEMAS.update(_part.SCHEMAS)

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
