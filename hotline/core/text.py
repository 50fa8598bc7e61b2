"""Text as people may type it: no control characters, one kind of line break."""

import re

# C0 controls other than tab and line feed, and the two non-characters XML 1.0 refuses:
# none of them is ever typed on purpose, and any of them makes an Open311 XML answer
# ill-formed.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")


def clean_text(value: str) -> str:
    """`value` with line breaks as \\n and every other C0 control character removed."""
    # A browser sends a textarea's line breaks as \r\n: kept as breaks, not glued lines.
    return _UNWANTED.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
