"""Notifications: the in-app notice inbox."""
