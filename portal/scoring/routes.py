"""Assessors on applications: officers assign them and see declarations and scores; assessors
declare conflicts of interest and score the applications assigned to them."""

from flask import Blueprint, flash, redirect, render_template, url_for

from forms.scoring import (
    AssignAssessorForm,
    AssignRoundForm,
    ChangeScoresForm,
    DeclarationForm,
    scores_form,
)
from models.enums import ConflictDeclaration, Role, ScoresheetStatus
from portal.auth import roles_required
from portal.exceptions import RuleBroken
from portal.scoring import services
from portal.views import current_person, page_number, show_rule_broken

bp = Blueprint("scoring", __name__, url_prefix="/scoring")


# Officers --------------------------------------------------------------------------------


def _application(application_id: int):
    return services.application_for_officer(current_person(), application_id)


def _round(round_id: int):
    return services.round_for_officer(current_person(), round_id)


def _assessors_page(application, form: AssignAssessorForm | None = None):
    assignments = services.assignments_of(current_person(), application)
    refusal = services.assignment_refusal(application, assignments)
    if form is None:
        form = AssignAssessorForm(assessors=services.assessors_available(
            current_person(), application, assignments))
    return render_template("scoring/assessors.html", application=application,
                           assignments=assignments, refusal=refusal, form=form,
                           ScoresheetStatus=ScoresheetStatus)


@bp.get("/applications/<int:submitted_application_id>")
@roles_required(Role.GRANTS_OFFICER)
def assessors(submitted_application_id: int):
    """The application's assessors, their declarations and their scores, and a form to add
    one while the application is being assessed."""
    return _assessors_page(_application(submitted_application_id))


@bp.post("/applications/<int:submitted_application_id>/assign")
@roles_required(Role.GRANTS_OFFICER)
def assign(submitted_application_id: int):
    application = _application(submitted_application_id)
    assignments = services.assignments_of(current_person(), application)
    form = AssignAssessorForm(assessors=services.assessors_available(
        current_person(), application, assignments))
    if form.validate_on_submit():
        try:
            assignment = services.assign(current_person(), application.id, form.assessor.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{assignment.assessor.full_name} has been assigned and told by email.",
                  "success")
            return redirect(url_for("scoring.assessors",
                                    submitted_application_id=application.id))
    return _assessors_page(application, form)


@bp.route("/rounds/<int:round_id>/assign", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def assign_round(round_id: int):
    """Balanced assignment: a preview of who would get what, and a button to apply it."""
    round_ = _round(round_id)
    form = AssignRoundForm()
    if form.validate_on_submit():
        try:
            made = services.assign_round(current_person(), round_.id)
        except RuleBroken as error:
            flash(error.message)
        else:
            flash(f"{made} {'assignment has' if made == 1 else 'assignments have'} been made. "
                  "Each assessor has been told by email.", "success")
        return redirect(url_for("scoring.assign_round", round_id=round_.id))
    plan = services.balanced_plan(current_person(), round_)
    return render_template("scoring/assign_round.html", round=round_, plan=plan, form=form,
                           anyone=any(planned.assessors for planned in plan))


@bp.get("/rounds/<int:round_id>/declarations")
@roles_required(Role.GRANTS_OFFICER)
def declarations(round_id: int):
    """Every declaration of interest made in the round."""
    round_ = _round(round_id)
    return render_template("scoring/declarations.html", round=round_,
                           pagination=services.declarations_page(current_person(), round_,
                                                                 page_number()))


# Assessors -------------------------------------------------------------------------------


def _assignment(assignment_id: int):
    """The signed-in assessor's own assignment; another's is not found."""
    return services.get_assignment(current_person(), assignment_id)


@bp.get("/")
@roles_required(Role.ASSESSOR)
def index():
    """Your assessments: the applications you have been asked to assess."""
    return render_template("scoring/index.html",
                           pagination=services.assignments_page(current_person(), page_number()))


def _assignment_page(assignment, declaration_form: DeclarationForm | None = None):
    readable = assignment.declaration is ConflictDeclaration.NO_CONFLICT
    return render_template(
        "scoring/assignment.html", assignment=assignment,
        application=assignment.application,
        organisation_name=services.organisation_name_of(assignment.application),
        form=declaration_form or (DeclarationForm() if assignment.declaration is None
                                  else None),
        sections=services.application_answers(current_person(), assignment) if readable else [],
        refusal=services.scoring_refusal(current_person(), assignment) if readable else None,
        latest=services.latest_sheet(assignment),
        submitted=[sheet for sheet in assignment.scoresheets
                   if sheet.status is ScoresheetStatus.SUBMITTED],
        others=services.others_scores(current_person(), assignment) if readable else None)


@bp.get("/assignments/<int:assignment_id>")
@roles_required(Role.ASSESSOR)
def assignment(assignment_id: int):
    """Before a declaration, the summary and the question; after "no conflict", the
    application in full and the scores; after a conflict, only that they were removed."""
    return _assignment_page(_assignment(assignment_id))


@bp.post("/assignments/<int:assignment_id>/declaration")
@roles_required(Role.ASSESSOR)
def declare(assignment_id: int):
    assignment = _assignment(assignment_id)
    if assignment.declaration is not None:
        flash("You have already answered whether you have a conflict of interest.")
        return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
    form = DeclarationForm()
    if form.validate_on_submit():
        try:
            services.declare(current_person(), assignment.id, form.has_conflict,
                             form.details.data or "")
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            if form.has_conflict:
                flash("You have declared a conflict of interest, so you have been removed "
                      "from this application.", "success")
            return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
    return _assignment_page(assignment, form)


def _scores_data(assignment) -> dict:
    """The latest version's scores, to start the form from."""
    sheet = services.latest_sheet(assignment)
    data = {}
    for score in sheet.scores if sheet else []:
        data[f"score_{score.criterion_id}"] = score.score
        data[f"justification_{score.criterion_id}"] = score.justification
    return data


@bp.route("/assignments/<int:assignment_id>/scores", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def score(assignment_id: int):
    """Score each criterion with a justification; save a draft or submit."""
    assignment = _assignment(assignment_id)
    if assignment.declaration is not ConflictDeclaration.NO_CONFLICT:
        return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
    latest = services.latest_sheet(assignment)
    refusal = services.scoring_refusal(current_person(), assignment)
    if refusal is None and latest is not None and latest.status is ScoresheetStatus.SUBMITTED:
        flash("You have submitted your scores. To change them, choose “Change your scores”.")
        return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
    criteria = assignment.application.round.criteria
    form = scores_form(criteria, data=_scores_data(assignment))
    if refusal is None and form.validate_on_submit():
        entries = [services.ScoreEntry(*entry) for entry in form.entries()]
        try:
            sheet = services.save_scores(current_person(), assignment.id, entries, form.submitting)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            if sheet.status is ScoresheetStatus.SUBMITTED:
                flash(f"Your scores have been submitted. Your total is {sheet.total_percent}%.",
                      "success")
                return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
            flash("Your draft scores have been saved.", "success")
            return redirect(url_for("scoring.score", assignment_id=assignment.id))
    return render_template("scoring/score.html", assignment=assignment,
                           application=assignment.application, criteria=criteria, form=form,
                           refusal=refusal, latest=latest)


@bp.route("/assignments/<int:assignment_id>/change", methods=["GET", "POST"])
@roles_required(Role.ASSESSOR)
def change(assignment_id: int):
    """Change submitted scores: a reason, then a new version to edit and submit."""
    assignment = _assignment(assignment_id)
    if assignment.declaration is not ConflictDeclaration.NO_CONFLICT:
        return redirect(url_for("scoring.assignment", assignment_id=assignment.id))
    latest = services.latest_sheet(assignment)
    if latest is None or latest.status is ScoresheetStatus.DRAFT:
        return redirect(url_for("scoring.score", assignment_id=assignment.id))
    form = ChangeScoresForm()
    refusal = services.scoring_refusal(current_person(), assignment)
    if refusal is None and form.validate_on_submit():
        try:
            services.change_scores(current_person(), assignment.id, form.reason.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return redirect(url_for("scoring.score", assignment_id=assignment.id))
    return render_template("scoring/change.html", assignment=assignment,
                           application=assignment.application, form=form, refusal=refusal,
                           latest=latest)
