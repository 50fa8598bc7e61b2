"""The security administrator's page for Open311 clients: create one (its key is shown once)
or revoke one."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from hotline.core.accounts.permissions import Permission
from hotline.database import utcnow
from hotline.plugins import db
from hotline.services.accounts import credentials
from hotline.web.accounts.context import actor
from hotline.web.admin import bp
from hotline.web.admin.forms import ApiClientForm
from hotline.web.errors import returns_to
from hotline.web.helpers import requires


@bp.route("/api-clients", methods=["GET", "POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
@returns_to("admin.api_clients")
def api_clients():
    """Open311 clients: create one (its key is shown once) or revoke one."""
    form = ApiClientForm()
    new_key = None
    if form.validate_on_submit():
        _client, new_key = credentials.create_client(
            db.session, **form.values(), now=utcnow(), **actor()
        )
    clients = credentials.list_clients(db.session)
    return render_template("admin/api_clients.html", clients=clients, new_key=new_key, form=form)


@bp.route("/api-clients/<int:client_id>/revoke", methods=["POST"])
@requires(Permission.MANAGE_KEYS_AND_TOKENS)
def api_client_revoke(client_id: int):
    """The client's key stops working at once."""
    credentials.revoke_client(db.session, client_id=client_id, now=utcnow(), **actor())
    flash(_("Revoked."), "success")
    return redirect(url_for("admin.api_clients"))
