"""Admin pages for the organisation: departments, categories and routing rules."""

from flask import redirect, render_template, url_for

from hotline.core.accounts.permissions import Permission
from hotline.core.deadlines.limits import LimitUnit
from hotline.core.units.kinds import KINDS
from hotline.models import Category, Department
from hotline.plugins import db
from hotline.services.units import organisation
from hotline.web.admin import bp, deleted, saved
from hotline.web.admin.forms import CategoryForm, DepartmentForm, RuleForm, TransferRuleForm
from hotline.web.helpers import requires


def page(template: str, **context) -> str:
    """An admin page with the departments, districts and categories its forms offer."""
    lists = organisation.choices(db.session)
    return render_template(
        template,
        departments=lists.departments,
        districts=lists.districts,
        categories=lists.categories,
        kinds=KINDS,
        **context,
    )


def _edit_page(model, object_id: int | None, key: str, form_class, save, name: str, **extra):
    """A department or category: new (no id) or edited; the list again once saved."""
    editing = organisation.get(db.session, model, object_id)
    form = form_class(obj=editing)
    if saved(form, save, db.session, **{key: object_id}):
        return redirect(url_for(f"admin.{name}"))
    return page(f"admin/{name}.html", editing=editing, form=form, **extra)


@bp.route("/departments", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORGANISATION)
def departments(department_id: int | None = None):
    """List departments; create one or edit its name, kind and jurisdiction."""
    save = organisation.save_department
    return _edit_page(
        Department, department_id, "department_id", DepartmentForm, save, "departments"
    )


@bp.route("/categories", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORGANISATION)
def categories(category_id: int | None = None):
    """The two-level category tree with each category's responsible kind and time limit."""
    save, units = organisation.save_category, list(LimitUnit)
    return _edit_page(
        Category, category_id, "category_id", CategoryForm, save, "categories", units=units
    )


@bp.route("/rules", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORGANISATION)
def rules():
    """Explicit routing rules that win over a category's default kind."""
    if saved(RuleForm(), organisation.add_rule, db.session):
        return redirect(url_for("admin.rules"))
    return page("admin/rules.html", rules=organisation.routing_rules(db.session))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
def rule_delete(rule_id: int):
    """Remove a routing rule."""
    organisation.delete_rule(db.session, rule_id)
    return deleted("admin.rules")


@bp.route("/transfer-rules", methods=["GET", "POST"])
@requires(Permission.MANAGE_ORGANISATION)
def transfer_rules():
    """The unit pairs allowed to transfer orders directly (转办) instead of returning them."""
    if saved(TransferRuleForm(), organisation.add_transfer_rule, db.session):
        return redirect(url_for("admin.transfer_rules"))
    return page("admin/transfer_rules.html", rules=organisation.transfer_rules(db.session))


@bp.route("/transfer-rules/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_ORGANISATION)
def transfer_rule_delete(rule_id: int):
    """Remove a transfer rule."""
    organisation.delete_transfer_rule(db.session, rule_id)
    return deleted("admin.transfer_rules")
