"""The public register of grants awarded, and the public list of rounds open now: anyone may
read them, signed in or not."""

from flask import jsonify, render_template, request

from forms.opendata import RegisterFilterForm
from models.base import utcnow
from portal.opendata import register as public_register
from portal.opendata.routes import bp
from portal.views import page_number


@bp.get("/grants-awarded")
def register():
    """The grants awarded, searched and filtered by scheme, year, ward and theme, 50 a page,
    with the count and total of all that match. Values that are not among the options are
    ignored by the filtering and explained beside their field."""
    form = RegisterFilterForm(request.args)
    form.offer(public_register.filter_choices())
    if request.args:
        form.validate()
    filters = public_register.RegisterFilters(**form.filter_values())
    grants = public_register.grants_page(filters, page_number())
    return render_template("opendata/register.html", form=form, grants=grants)


@bp.get("/open-data/rounds.json")
def open_rounds():
    """The rounds open for applications now, for other sites and services to list."""
    return jsonify(rounds=public_register.open_rounds(utcnow()))
