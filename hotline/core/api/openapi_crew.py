"""The crew terminal's part of /api/v1's description: its jobs, their stream and acknowledgement."""

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {}
