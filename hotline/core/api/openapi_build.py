"""The pieces the OpenAPI description of /api/v1 is built from (core/api/openapi.py and its
120 parts import them): token schemes, schema and operation builders, common answers."""

USER_SCHEME = "userToken"
TERMINAL_SCHEME = "terminalToken"
MAX_RECOMMENDATIONS = 20
MAX_POSITIONS = 500

STRING = {"type": "string"}
NULLABLE_STRING = {"type": "string", "nullable": True}
TIME = {"type": "string", "format": "date-time"}
INTEGER = {"type": "integer"}


def obj(required: list[str], **properties) -> dict:
    """A JSON object schema with its required properties."""
    return {"type": "object", "required": required, "properties": properties}


def nullable(**properties) -> dict:
    """A nullable JSON object schema."""
    return {"type": "object", "nullable": True, "properties": properties}


def ref(schema: str) -> dict:
    """A reference to a component schema."""
    return {"$ref": f"#/components/schemas/{schema}"}


def json_content(schema: str) -> dict:
    """A JSON body of a component schema."""
    return {"application/json": {"schema": ref(schema)}}


def parameter(name: str, where: str, schema: dict, description: str = "") -> dict:
    """A query or path parameter."""
    parameter = {"name": name, "in": where, "required": where == "path", "schema": schema}
    return {**parameter, "description": description} if description else parameter


# The answers every operation of a kind of token may give besides its own.
REFUSALS = {
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


def operation(
    operation_id: str, summary: str, token: str, answers: dict[str, tuple[str, str]], **extra
) -> dict:
    """One operation: its own answers (status -> description, schema) and its token's refusals."""
    responses = {
        status: {"description": text, "content": json_content(schema)}
        for status, (text, schema) in answers.items()
    }
    for status, text in REFUSALS[token].items():
        responses.setdefault(status, {"description": text, "content": json_content("Error")})
    security = [{token: []}]
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": security,
        **extra,
        "responses": dict(sorted(responses.items())),
    }


def request_body(schema: str) -> dict:
    """A required JSON request body of a component schema."""
    return {"required": True, "content": json_content(schema)}


INVALID = ("The request is malformed", "Error")
REFUSED = ("The change is not allowed (for example, times going backwards)", "Error")
RACE = ("Someone changed the vehicle first", "Error")
OUTSIDE = ("A fix is outside the valid coordinates", "Error")


def terminal_post(
    operation_id: str, summary: str, schema: str, answers: dict[str, tuple[str, str]]
) -> dict:
    """A vehicle terminal's report about its own vehicle: a JSON body, 400 when malformed."""
    return operation(
        operation_id,
        summary,
        TERMINAL_SCHEME,
        {**answers, "400": INVALID},
        parameters=[parameter("vehicle_id", "path", {"type": "integer", "minimum": 1})],
        requestBody=request_body(schema),
    )
