"""并单 on the pages: the probable duplicates of an order being taken (JSON for the intake
form's script), and the desk's merge and unmerge. Routes of the orders blueprint
(`install`)."""

import math

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline.core.accounts.permissions import Permission
from hotline.core.geo import valid_coordinates
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.orders import duplicates
from hotline.web.errors import returns_to
from hotline.web.helpers import requires

MAX_TEXT = 2000  # the words compared: a description's beginning is enough


def _float(value: str | None) -> float | None:
    try:
        number = float(value or "")
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def similar_draft():
    """The probable duplicates of the order on the intake form (category, point, words)."""
    lon, lat = _float(request.args.get("lon")), _float(request.args.get("lat"))
    code = (request.args.get("category_code") or "").strip()
    text = (request.args.get("description") or "")[:MAX_TEXT]
    if lon is None or lat is None or not code or not valid_coordinates(lon, lat):
        return jsonify(items=[])
    items = duplicates.similar_to_draft(
        db.session,
        actor=current_user,
        category_code=code,
        lon=lon,
        lat=lat,
        text=text,
        now=utcnow(),
    )
    for item in items:
        item["url"] = url_for("orders.detail", number=item["number"])
    return jsonify(items=items)


def merge(number: str):
    """The desk merges this order into another (the master)."""
    duplicates.merge(
        db.session,
        actor_id=current_user.id,
        number=number,
        master_number=request.form.get("master_number", ""),
        now=utcnow(),
    )
    flash(_("Merged: this order now follows its master order."), "success")
    return redirect(url_for("orders.detail", number=number)), 303


def unmerge(number: str):
    """The desk undoes the merge: the order goes back to its unit."""
    duplicates.unmerge(db.session, actor_id=current_user.id, number=number, now=utcnow())
    flash(_("Merge undone: the order is handled on its own again."), "success")
    return redirect(url_for("orders.detail", number=number)), 303


def install(bp: Blueprint) -> None:
    """Add the duplicates' routes to the orders blueprint."""
    desk = requires(Permission.WORK_DESK)
    back = returns_to("orders.detail")
    bp.add_url_rule("/similar", "similar_draft", requires(Permission.TAKE_CALLS)(similar_draft))
    bp.add_url_rule("/<number>/merge", "merge", desk(back(merge)), methods=["POST"])
    bp.add_url_rule("/<number>/unmerge", "unmerge", desk(back(unmerge)), methods=["POST"])
