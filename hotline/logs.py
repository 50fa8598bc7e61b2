"""One JSON object per log line, with the request id: for the centre's log collector.

No personal data: messages are written without callers' data, statement parameters are
hidden (SQLALCHEMY_ENGINE_OPTIONS), and the request line carries the path, never the query.
"""

import json
import logging
import traceback
from datetime import UTC, datetime

from flask import g, has_request_context


class JsonFormatter(logging.Formatter):
    """time, level, logger, message, request id and, for an exception, its traceback."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is None and has_request_context():
            request_id = g.get("request_id")
        if request_id:
            line["request_id"] = request_id
        for key in ("method", "path", "endpoint", "status", "duration_ms"):
            if hasattr(record, key):
                line[key] = getattr(record, key)
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            # Where it failed and the exception's class, never its message: a database
            # error's message quotes the row ("Key (phone)=(139...)"), a KeyError its key.
            frames = "".join(traceback.format_tb(trace))
            line["exception"] = f"{kind.__module__}.{kind.__qualname__}\n{frames}"
        return json.dumps(line, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """JSON lines on standard error for every logger (the scheduler process; gunicorn's
    workers get the same from deploy/gunicorn.conf.py)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
