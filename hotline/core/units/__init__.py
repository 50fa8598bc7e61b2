"""Units: the organisation's reference data (kinds of responsible bodies)."""
