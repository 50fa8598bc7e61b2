"""Chinese phone numbers: validation, normalisation and masking."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Area code 0 + 2-3 digits, subscriber 7-8 digits, optional extension.
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_SERVICE = re.compile(r"^(1\d{4}|400\d{7}|800\d{7})$")  # 12345, 95588, 400/800 numbers
_STRIP = re.compile(r"[\s\-()（）]")


def normalise(raw: str) -> str | None:
    """A canonical digit string for a Chinese mobile or landline number, or None if invalid."""
    digits = _STRIP.sub("", raw or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if not digits.isdigit() or not digits.isascii():
        return None
    if _MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE.match(digits):
        return digits
    return None


def mask(phone: str | None) -> str:
    """Show only the first three and last four digits: 138****1234."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
