"""The linked centres' part of /api/v1's description (联动: POST and GET /incidents)."""

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {}
