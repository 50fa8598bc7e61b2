"""The gazetteer's pages: the address box's suggestions and nearest place (JSON, for the
intake, 120 and booking forms), the administrator's page (import, candidates), and
GET /api/v1/places (on the api blueprint)."""
