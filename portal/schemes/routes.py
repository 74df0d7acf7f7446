"""Grant schemes and their rounds, set up by grants officers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for

from forms.base import ConfirmForm
from forms.schemes import (
    CloseEarlyForm,
    CriteriaForm,
    PublishedRoundForm,
    RoundForm,
    SchemeForm,
    copy_form_data,
    criteria_form_data,
    round_form_data,
)
from models.base import utcnow
from models.enums import Role, RoundStatus
from portal.auth import roles_required
from portal.dates import to_london
from portal.exceptions import RuleBroken
from portal.schemes import services
from portal.schemes.rules import every_setting_changes
from portal.views import current_person, show_rule_broken

bp = Blueprint("schemes", __name__, url_prefix="/schemes")


def _scheme(scheme_id: int):
    return services.get_scheme(current_person(), scheme_id)


def _round(round_id: int):
    return services.get_round(current_person(), round_id)


def _scheme_details(form: SchemeForm) -> dict:
    return {"name": form.name.data, "description": form.description.data or "",
            "reference_prefix": form.reference_prefix.data, "theme_names": form.themes.data}


@bp.get("/")
@roles_required(Role.GRANTS_OFFICER)
def index():
    """Every scheme, with its rounds and their states."""
    return render_template("schemes/index.html",
                           schemes=services.schemes_overview(current_person()))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def create_scheme():
    form = SchemeForm()
    if form.validate_on_submit():
        try:
            scheme = services.create_scheme(current_person(), **_scheme_details(form))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{scheme.name} has been created.", "success")
            return redirect(url_for("schemes.show_scheme", scheme_id=scheme.id))
    return render_template("schemes/scheme_form.html", form=form, scheme=None)


@bp.get("/<int:scheme_id>")
@roles_required(Role.GRANTS_OFFICER)
def show_scheme(scheme_id: int):
    return render_template("schemes/scheme.html", scheme=_scheme(scheme_id))


@bp.route("/<int:scheme_id>/edit", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def edit_scheme(scheme_id: int):
    scheme = _scheme(scheme_id)
    form = SchemeForm(data={"name": scheme.name, "description": scheme.description,
                            "reference_prefix": scheme.reference_prefix,
                            "themes": [theme.name for theme in scheme.themes]})
    if form.validate_on_submit():
        try:
            services.update_scheme(current_person(), scheme, **_scheme_details(form))
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{scheme.name} has been saved.", "success")
            return redirect(url_for("schemes.show_scheme", scheme_id=scheme.id))
    return render_template("schemes/scheme_form.html", form=form, scheme=scheme)


@bp.route("/<int:scheme_id>/rounds/new", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def create_round(scheme_id: int):
    scheme = _scheme(scheme_id)
    form = RoundForm(ward_list=services.all_wards(), theme_list=scheme.themes)
    if form.validate_on_submit():
        try:
            round_ = services.create_round(current_person(), scheme, form.settings())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{round_.name} has been created as a draft.", "success")
            return redirect(url_for("schemes.show_round", round_id=round_.id))
    return render_template("schemes/round_form.html", form=form, scheme=scheme, round=None,
                           published=False)


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.GRANTS_OFFICER)
def show_round(round_id: int):
    round_ = _round(round_id)
    return render_template("schemes/round.html", round=round_,
                           next_step=services.next_step(round_),
                           action=services.allowed_action(round_), Step=services.Step,
                           criteria_locked=services.criteria_locked_reason(round_))


@bp.route("/rounds/<int:round_id>/copy", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def copy_round(round_id: int):
    """A new draft round starting from this one's settings and criteria, a year on."""
    source = _round(round_id)
    form = RoundForm(ward_list=services.all_wards(), theme_list=source.scheme.themes,
                     data=copy_form_data(source, to_london(utcnow()).date()))
    if form.validate_on_submit():
        try:
            round_ = services.copy_round(current_person(), source, form.settings())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{round_.name} has been created as a draft, with the scoring criteria of "
                  f"{source.name}.", "success")
            return redirect(url_for("schemes.show_round", round_id=round_.id))
    return render_template("schemes/round_form.html", form=form, scheme=source.scheme,
                           round=None, copied_from=source, published=False)


@bp.route("/rounds/<int:round_id>/close-early", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def close_early(round_id: int):
    round_ = _round(round_id)
    form = CloseEarlyForm()
    if form.validate_on_submit():
        try:
            services.close_early(current_person(), round_, form.reason.data, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{round_.name} has closed.", "success")
            return redirect(url_for("schemes.show_round", round_id=round_.id))
    return render_template("schemes/close_early.html", form=form, round=round_,
                           drafts=services.draft_count(current_person(), round_))


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def edit_round(round_id: int):
    """A draft round's every setting; a published round's closing time, guidance and
    documents, and its assessment settings until scoring begins; nothing of a decided one."""
    round_ = _round(round_id)
    if round_.status is RoundStatus.DECIDED:
        flash("This round has been decided, so it cannot be changed.")
        return redirect(url_for("schemes.show_round", round_id=round_.id))
    draft = every_setting_changes(round_)
    if draft:
        form = RoundForm(ward_list=services.all_wards(), theme_list=round_.scheme.themes,
                         data=round_form_data(round_))
    else:
        form = PublishedRoundForm(data=round_form_data(round_))
        if services.scoring_begun(round_):
            form.lock_assessment()
    if form.validate_on_submit():
        try:
            if draft:
                services.update_round(current_person(), round_, form.settings())
            else:
                services.update_published_round(
                    current_person(), round_, closes_at=form.closes_at(),
                    guidance=form.guidance.data or "",
                    required_documents=form.required_documents.data,
                    assessment=form.assessment())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{round_.name} has been saved.", "success")
            return redirect(url_for("schemes.show_round", round_id=round_.id))
    return render_template("schemes/round_form.html", form=form, scheme=round_.scheme,
                           round=round_, published=not draft)


@bp.route("/rounds/<int:round_id>/criteria", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def criteria(round_id: int):
    """The round's whole set of scoring criteria, changed at once; read-only once scoring
    has begun."""
    round_ = _round(round_id)
    locked = services.criteria_locked_reason(round_)
    if locked:
        return render_template("schemes/criteria.html", round=round_, locked=locked,
                               form=None)
    form = (CriteriaForm() if request.method == "POST"
            else CriteriaForm(data=criteria_form_data(round_)))
    if form.add.data:
        form.add_row()
    elif form.validate_on_submit():
        try:
            services.replace_criteria(current_person(), round_, form.settings())
        except RuleBroken as error:
            form.show_rule_broken(error)
        else:
            flash(f"The scoring criteria for {round_.name} have been saved.", "success")
            return redirect(url_for("schemes.show_round", round_id=round_.id))
    return render_template("schemes/criteria.html", round=round_, locked=None, form=form)


def _change_state(round_id: int, change, done: str):
    """Publish or decide: a button posting to these, so a failure is told on the round page."""
    round_ = _round(round_id)
    if ConfirmForm().validate_on_submit():
        try:
            change(current_person(), round_)
        except RuleBroken as error:
            flash(error.message)
        else:
            flash(done.format(name=round_.name), "success")
    return redirect(url_for("schemes.show_round", round_id=round_.id))


@bp.post("/rounds/<int:round_id>/publish")
@roles_required(Role.GRANTS_OFFICER)
def publish_round(round_id: int):
    return _change_state(round_id, services.publish_round,
                         "{name} has been published. It opens and closes at its times.")


@bp.post("/rounds/<int:round_id>/decide")
@roles_required(Role.GRANTS_OFFICER)
def decide_round(round_id: int):
    return _change_state(round_id, services.decide_round, "{name} has been marked as decided.")
