"""What every 120 call and booking needs: a caller's number (optional) and a point."""

from hotline.core import geo, phone


def caller_and_place(caller_phone: str, lon: float, lat: float) -> tuple[str, dict[str, str]]:
    """The normalised phone ("" when none is given) and error codes for a wrong phone or
    point, by field ("caller_phone", "location")."""
    errors: dict[str, str] = {}
    number = phone.normalise(caller_phone) if caller_phone.strip() else ""
    if number is None:
        errors["caller_phone"] = "invalid_phone"
    if not geo.valid_coordinates(lon, lat):
        errors["location"] = "invalid_coordinates"
    return number or "", errors
