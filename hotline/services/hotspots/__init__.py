"""Hotspots (热点): found by the scheduler, read by the pages, the API and the maps."""
