"""The patient records' part of /api/v1's description (院前急救病历 from the crew terminal)."""

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {}
