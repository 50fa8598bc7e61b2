"""Admin pages for the organisation: departments, categories and routing rules."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from hotline.core.accounts.permissions import Permission
from hotline.core.deadlines.limits import LimitUnit
from hotline.core.units.kinds import KINDS
from hotline.extensions import db
from hotline.models import Category, Department
from hotline.services.units import organisation
from hotline.web.admin import bp, saved
from hotline.web.admin.forms import CategoryForm, DepartmentForm, RuleForm
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


@bp.route("/departments", methods=["GET", "POST"])
@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def departments(department_id: int | None = None):
    """List departments; create one or edit its name, kind and jurisdiction."""
    editing = organisation.get(db.session, Department, department_id)
    form = DepartmentForm(obj=editing)
    if saved(form, organisation.save_department, db.session, department_id=department_id):
        return redirect(url_for("admin.departments"))
    return page("admin/departments.html", editing=editing, form=form)


@bp.route("/categories", methods=["GET", "POST"])
@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def categories(category_id: int | None = None):
    """The two-level category tree with each category's responsible kind and time limit."""
    editing = organisation.get(db.session, Category, category_id)
    form = CategoryForm(obj=editing)
    if saved(form, organisation.save_category, db.session, category_id=category_id):
        return redirect(url_for("admin.categories"))
    return page("admin/categories.html", editing=editing, form=form, units=list(LimitUnit))


@bp.route("/rules", methods=["GET", "POST"])
@requires(Permission.ADMINISTER)
def rules():
    """Explicit routing rules that win over a category's default kind."""
    if saved(RuleForm(), organisation.add_rule, db.session):
        return redirect(url_for("admin.rules"))
    return page("admin/rules.html", rules=organisation.routing_rules(db.session))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@requires(Permission.ADMINISTER)
def rule_delete(rule_id: int):
    """Remove a routing rule."""
    organisation.delete_rule(db.session, rule_id)
    flash(_("Deleted."), "success")
    return redirect(url_for("admin.rules"))
