"""Deadline pages: extensions (延期), timed reminders (定时催办), overdue orders."""
