"""The development server's request log leaves the query string (a phone search) out."""

import io
import logging

from hotline.cli import PathOnlyLog


def test_the_request_log_has_no_query_string(caplog):
    handler = PathOnlyLog.__new__(PathOnlyLog)
    handler.path, handler.command = "/orders?caller_phone=13912345678", "GET"
    handler.client_address, handler.requestline = ("127.0.0.1", 1), ""
    handler.wfile = io.BytesIO()
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        handler.log_request(200, 123)
    assert "/orders" in caplog.text and "13912345678" not in caplog.text
