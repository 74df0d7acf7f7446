"""Publishing open data: the grants officers' review, withholding and approval of each
financial year's files, and the public open-data page with every publication's files."""

from flask import Response, abort, flash, redirect, render_template, url_for

from forms.base import ConfirmForm
from forms.opendata import PublishForm, WithholdForm
from models.enums import Role
from portal.auth import roles_required
from portal.exceptions import RuleBroken
from portal.financial_years import FinancialYear
from portal.money import format_pounds
from portal.opendata import services
from portal.opendata.routes import bp
from portal.views import current_person, page_number, show_rule_broken

PUBLISHERS = (Role.GRANTS_OFFICER,)


# The public page and files ------------------------------------------------------------------


@bp.get("/open-data")
def open_data():
    """Each year's latest publication with its licence and files, and every publication."""
    return render_template("opendata/open_data.html", page=services.open_data(page_number()),
                           files=services.FILES)


def _file_response(year: str, name: str, version: int | None = None) -> Response:
    publication, file, data = services.published_file(year, name, version)
    if data is None:
        abort(404)
    slug = FinancialYear.parse(publication.financial_year).slug
    return Response(data, mimetype=file.mimetype, headers={
        "Content-Disposition":
            f'attachment; filename="{slug}-v{publication.version}-{file.name}"',
        "X-Content-Type-Options": "nosniff"})


@bp.get("/open-data/<year>/<name>")
def latest_file(year: str, name: str):
    """A stable link: the year's latest publication's file."""
    return _file_response(year, name)


@bp.get("/open-data/<year>/v<int:version>/<name>")
def version_file(year: str, version: int, name: str):
    """One version's file, as it was published."""
    return _file_response(year, name, version)


# Reviewing and approving ---------------------------------------------------------------------


@bp.get("/open-data/manage")
@roles_required(*PUBLISHERS)
def manage():
    """The years with grants to publish, and each one's latest publication."""
    return render_template("opendata/manage.html", years=services.years(current_person()))


@bp.route("/open-data/manage/<year>", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def review(year: str):
    """What the year's files would hold: the grants, those withheld and why, the totals and
    anything stopping publication; and the button that publishes them."""
    form = PublishForm()
    if form.validate_on_submit():
        try:
            publication = services.publish(current_person(), year, form.digest.data or "")
        except RuleBroken as error:
            show_rule_broken(form, error, "submit")
        else:
            count = publication.grant_count
            flash(f"Version {publication.version} of the {publication.financial_year} grants "
                  f"has been published: {count} grant{'' if count == 1 else 's'}, "
                  f"{format_pounds(publication.awarded_pence)}.", "success")
            return redirect(url_for("opendata.review", year=year))
    found = services.review(current_person(), year, page_number())
    form.digest.data = found.dataset.digest
    return render_template("opendata/review.html", review=found, form=form,
                           release_form=ConfirmForm())


@bp.route("/open-data/manage/grants/<int:award_id>/withhold", methods=["GET", "POST"])
@roles_required(*PUBLISHERS)
def withhold(award_id: int):
    """Leave a grant out of open data and the public register, with the reason."""
    award = services.award_to_withhold(current_person(), award_id)
    form = WithholdForm()
    if form.validate_on_submit():
        try:
            services.withhold(current_person(), award, form.reason.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{award.reference} will not be published.", "success")
            return redirect(_review_url(award))
    return render_template("opendata/withhold.html", award=award, form=form,
                           back=_review_url(award))


@bp.post("/open-data/manage/grants/<int:award_id>/release")
@roles_required(*PUBLISHERS)
def release(award_id: int):
    """Publish a withheld grant again, from the next publication."""
    award = services.award_to_withhold(current_person(), award_id)
    if ConfirmForm().validate_on_submit():
        services.release(current_person(), award)
        flash(f"{award.reference} will be published again from the next publication.",
              "success")
    return redirect(_review_url(award))


def _review_url(award) -> str:
    year = FinancialYear.parse(award.application.round.financial_year).slug
    return url_for("opendata.review", year=year)
