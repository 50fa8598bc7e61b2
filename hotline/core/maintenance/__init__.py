"""Maintenance rules: what retention removes as of when, and which backups rotation keeps."""
