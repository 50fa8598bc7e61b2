"""Maintenance: backups and their restore, and retention of personal and bulky data."""
