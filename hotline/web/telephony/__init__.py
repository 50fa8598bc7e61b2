"""The phone line's pages: Kamailio's endpoints (sip), the agent's phone bar and screen
pop (phone), and the supervisor's call records and live view (calls)."""

from pathlib import Path

from flask import current_app

from hotline.core.telephony.line import LineSettings


def line_settings() -> LineSettings:
    """The line's settings from the app's configuration."""
    return LineSettings.from_config(current_app.config)


def line_secret() -> str:
    """The secret Kamailio sends: TELEPHONY_SECRET, else the file `make pbx` writes
    (instance/telephony-secret), read once; empty when neither is set (the line is off)."""
    secret = current_app.config.get("TELEPHONY_SECRET")
    if secret:
        return secret
    cached = current_app.extensions.get("hotline.telephony_secret")
    if cached is None:
        path = Path(current_app.instance_path) / "telephony-secret"
        cached = path.read_text(encoding="utf-8").strip() if path.is_file() else ""
        current_app.extensions["hotline.telephony_secret"] = cached
    return cached
