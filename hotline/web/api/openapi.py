"""The OpenAPI 3 description of /api/v1 (served at /api/v1/openapi.json)."""

from hotline.core.orders.intake import OrderType
from hotline.core.orders.workflow import State

_NULLABLE_STRING = {"type": "string", "nullable": True}
_STRING = {"type": "string"}
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
]

_ORDER = {
    "type": "object",
    "required": ["number", "state", "type", "category", "created_at", "due_at"],
    "properties": {
        "number": {"type": "string"},
        "state": {"type": "string"},
        "type": {"type": "string"},
        "channel": {"type": "string"},
        "category": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "department": {
            "type": "object",
            "nullable": True,
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "district": {
            "type": "object",
            "nullable": True,
            "properties": {"code": {"type": "string"}, "name": {"type": "string"}},
        },
        "location": {
            "type": "object",
            "nullable": True,
            "properties": {"lon": {"type": "number"}, "lat": {"type": "number"}},
        },
        "address": {"type": "string"},
        "description": {"type": "string"},
        "confidential": {"type": "boolean"},
        "caller": {
            "type": "object",
            "nullable": True,
            "description": "Masked or absent as the user's role requires.",
            "properties": {"name": {"type": "string"}, "phone": {"type": "string"}},
        },
        "created_at": {"type": "string", "format": "date-time"},
        "due_at": {"type": "string", "format": "date-time"},
        "closed_at": {**_NULLABLE_STRING, "format": "date-time"},
        "escalation_level": {"type": "integer"},
        "synthetic": {"type": "boolean"},
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "at": {"type": "string", "format": "date-time"},
                    "action": {"type": "string"},
                    "from_state": _NULLABLE_STRING,
                    "to_state": {"type": "string"},
                    "actor": _NULLABLE_STRING,
                    "note": {"type": "string"},
                },
            },
        },
    },
}
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {"type": "string"},
        "description": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _response(description: str, schema: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


OPENAPI = {
    "openapi": "3.0.3",
    "info": {
        "title": "12345 hotline orders API",
        "version": "1.0.0",
        "description": "Work orders as the token's user sees them on the pages: department "
        "staff only their department's, phones masked for roles that do not need them.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/orders": {
            "get": {
                "operationId": "listOrders",
                "summary": "Search orders (newest first), paginated",
                "parameters": [
                    {
                        "name": n,
                        "in": "query",
                        "required": False,
                        "description": d,
                        "schema": s,
                    }
                    for n, d, s in _FILTERS
                ]
                + [
                    {
                        "name": "page",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1},
                    },
                    {
                        "name": "page_size",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                ],  # fmt: skip
                "responses": {
                    "200": _response("A page of orders", "OrderPage"),
                    "400": _response("Invalid filters", "Error"),
                    "401": _response("Missing or invalid token", "Error"),
                    "403": _response("The role may not read orders", "Error"),
                },
            }
        },
        "/orders/{number}": {
            "get": {
                "operationId": "getOrder",
                "summary": "One order with its audit events",
                "parameters": [
                    {"name": "number", "in": "path", "required": True, "schema": {"type": "string"}}
                ],  # fmt: skip
                "responses": {
                    "200": _response("The order", "Order"),
                    "401": _response("Missing or invalid token", "Error"),
                    "403": _response("The role may not read orders", "Error"),
                    "404": _response("No such order for this user", "Error"),
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Order": _ORDER,
            "OrderPage": {
                "type": "object",
                "required": ["items", "total", "page", "page_size"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}},
                    "total": {"type": "integer"},
                    "page": {"type": "integer"},
                    "page_size": {"type": "integer"},
                },
            },
            "Error": _ERROR,
        },
    },
}
