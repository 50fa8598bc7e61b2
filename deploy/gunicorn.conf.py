"""gunicorn settings for the hotline app; every value comes from /etc/hotline/hotline.env.

`gunicorn -c deploy/gunicorn.conf.py wsgi:app`. A graceful reload (`systemctl reload
hotline-web`, SIGHUP) starts new workers and lets the old ones finish their requests.
"""

import os
import shutil
from pathlib import Path

bind = [a.strip() for a in os.environ.get("HOTLINE_BIND", "127.0.0.1:8000").split(",") if a]
workers = int(os.environ.get("HOTLINE_WORKERS", "4"))
# Threads per worker: requests mostly wait on PostgreSQL, so a few threads keep a worker busy.
threads = int(os.environ.get("HOTLINE_THREADS", "4"))
worker_class = "gthread"
# A worker silent for this long is restarted. With threads a long request does not silence
# its worker, so what bounds a request for the client is nginx's proxy_read_timeout (75 s).
timeout = int(os.environ.get("HOTLINE_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("HOTLINE_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Bounded requests: a worker is recycled now and then so that a slow leak cannot grow.
max_requests = int(os.environ.get("HOTLINE_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 10
# The app logs its own JSON lines with the request id (hotline/web/observability.py): no
# gunicorn access log, which would print query strings (a phone search carries the number).
accesslog = None
errorlog = "-"
loglevel = os.environ.get("HOTLINE_LOG_LEVEL", "info")
_json = {"formatter": "json", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hotline.logs.JsonFormatter"}},
    "handlers": {"stderr": _json},
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["stderr"], "propagate": False},
    },
}
proc_name = "hotline-web"


def on_starting(server):
    """Empty the Prometheus multi-process folder: figures of dead processes must not count."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(mode=0o700, parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that ended no longer counts in the live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
