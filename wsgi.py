"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from hotline import create_app

app = create_app()
