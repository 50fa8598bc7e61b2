"""Hotspots (热点): many orders of one kind close together in space and time."""
