"""Grants officers' pages for a round's results, moderation, recommendations and decisions."""

from flask import Blueprint, flash, redirect, render_template, url_for

from forms.base import ConfirmForm
from forms.decisions import (
    DecisionForm,
    FeedbackForm,
    ModerationForm,
    RecommendationForm,
    RoundDecisionForm,
)
from models.base import utcnow
from models.enums import DecisionAuthority, DecisionOutcome, Role
from portal.auth import roles_required
from portal.decisions import services
from portal.exceptions import RuleBroken
from portal.money import format_pounds
from portal.views import current_person, show_rule_broken

bp = Blueprint("decisions", __name__, url_prefix="/decisions")


def _render(template: str, **context) -> str:
    """A page of this area, which shows scores as services.percent rounds them."""
    return render_template(f"decisions/{template}", percent=services.percent, **context)


def _found(application_id: int) -> services.ApplicationResult:
    """An application sent in; drafts and unknown ids are not found, as on the officers'
    application page."""
    return services.application_result(current_person(), application_id)


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.GRANTS_OFFICER)
def round_results(round_id: int):
    """The round's applications ranked by score, with thresholds, recommendations and
    decisions, and what is left of the budget."""
    results = services.round_results(current_person(), round_id)
    return _render("round_results.html", results=results, confirm=ConfirmForm())


@bp.post("/rounds/<int:round_id>/recommend")
@roles_required(Role.GRANTS_OFFICER)
def recommend(round_id: int):
    """Recommend awards down the ranking within the budget, keeping adjusted amounts."""
    if ConfirmForm().validate_on_submit():
        results = services.recommend_within_budget(current_person(), round_id, utcnow())
        flash("Awards have been recommended within the budget. "
              f"{format_pounds(results.remaining_pence)} of the budget remains.", "success")
    return redirect(url_for("decisions.round_results", round_id=round_id))


@bp.route("/applications/<int:submitted_application_id>/moderate", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def moderate(submitted_application_id: int):
    """Each assessor's scores and the mean; the officer may record a moderated score."""
    found = _found(submitted_application_id)
    form = ModerationForm()
    if found.at_stage and form.validate_on_submit():
        try:
            services.moderate(current_person(), found.application.id, form.total.data,
                              form.reason.data, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The moderated score for {found.application.reference} has been recorded.",
                  "success")
            return redirect(url_for("decisions.moderate",
                                    submitted_application_id=found.application.id))
    return _render("moderate.html", found=found, form=form)


@bp.route("/applications/<int:submitted_application_id>/recommendation",
          methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def adjust(submitted_application_id: int):
    """Change the amount recommended for one application."""
    found = _found(submitted_application_id)
    recommendation = found.result.recommendation if found.at_stage else None
    form = RecommendationForm(data={
        "amount": recommendation.amount_pence if recommendation else None,
        "note": recommendation.note if recommendation and recommendation.adjusted else ""})
    if found.at_stage and form.validate_on_submit():
        try:
            services.adjust_recommendation(current_person(), found.application.id, form.amount.data,
                                           form.note.data, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The recommendation for {found.application.reference} has been saved.",
                  "success")
            return redirect(url_for("decisions.round_results",
                                    round_id=found.application.round_id))
    return _render("adjust.html", found=found, form=form)


def _decision_form(found: services.ApplicationResult) -> DecisionForm:
    """The form, with the amount defaulting to the recommendation, or else the request."""
    recommendation = found.result.recommendation if found.at_stage else None
    amount = (recommendation.amount_pence if recommendation and recommendation.amount_pence
              else found.application.amount_requested_pence)
    return DecisionForm(data={"amount": amount})


def _application_page(found: services.ApplicationResult, *, form: DecisionForm | None = None,
                      feedback_form: FeedbackForm | None = None):
    """The decision page; `form` for the layout's error summary is whichever form was sent."""
    decision = found.result.decision if found.at_stage else None
    decision_form = form or _decision_form(found)
    if feedback_form is None:
        feedback_form = FeedbackForm(data={"feedback": decision.feedback if decision else ""})
    sent = feedback_form if feedback_form.errors else decision_form
    feedback_due = services.feedback_refusal(
        found.application, found.result.decision if found.result else None) is None
    return _render("application.html", found=found, form=sent,
                           decision_form=decision_form, feedback_form=feedback_form,
                           feedback_due=feedback_due,
                           threshold=services.key_decision_threshold())


@bp.route("/applications/<int:submitted_application_id>", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def application(submitted_application_id: int):
    """The scores, the recommendation, earlier decisions and the decision form."""
    found = _found(submitted_application_id)
    form = _decision_form(found)
    if found.at_stage and form.validate_on_submit():
        try:
            decision = services.record_decision(current_person(), found.application.id,
                                                services.DecisionDetails(
                outcome=DecisionOutcome(form.outcome.data),
                authority=DecisionAuthority(form.authority.data),
                decided_on=form.decided_on.data, amount_pence=form.amount.data,
                reason=form.reason.data or "", rejection_reason=form.rejection(),
                feedback=form.feedback.data or ""), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The decision on {found.application.reference} has been recorded: "
                  f"{decision.outcome.value}. The applicant has been told by email.", "success")
            return redirect(url_for("decisions.application",
                                    submitted_application_id=found.application.id))
    return _application_page(found, form=form)


@bp.post("/applications/<int:submitted_application_id>/feedback")
@roles_required(Role.GRANTS_OFFICER)
def approve_feedback(submitted_application_id: int):
    """Approve (and perhaps edit) the feedback for a rejected application, and send it."""
    found = _found(submitted_application_id)
    form = FeedbackForm()
    if found.at_stage and form.validate_on_submit():
        try:
            services.approve_feedback(current_person(), found.application.id, form.feedback.data,
                                      utcnow())
        except RuleBroken as error:
            if error.field is None:  # not a rejection, or already sent: nothing to correct
                flash(error.message)
                return redirect(url_for("decisions.application",
                                        submitted_application_id=found.application.id))
            show_rule_broken(form, error)
        else:
            flash("The feedback has been approved and sent to the applicant.", "success")
            return redirect(url_for("decisions.application",
                                    submitted_application_id=found.application.id))
    return _application_page(found, feedback_form=form)


@bp.route("/rounds/<int:round_id>/decide", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def decide_round(round_id: int):
    """Decide every scored application of the round at once, as previewed on the page."""
    results, plan = services.round_decision_plan(current_person(), round_id)
    form = RoundDecisionForm()
    if form.validate_on_submit():
        try:
            decisions = services.decide_round(
                current_person(), round_id, DecisionAuthority(form.authority.data),
                form.decided_on.data, form.reason.data, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"{len(decisions)} decisions have been recorded and the applicants told by "
                  "email.", "success")
            return redirect(url_for("decisions.round_results", round_id=round_id))
    return _render("decide_round.html", results=results, plan=plan,
                           form=form)
