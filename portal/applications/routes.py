"""Applicants apply to open rounds: the task list, its sections, checking answers and submitting.

Every page here is for members of the applying organisation (the services refuse everyone
else with 403, staff included: they see applications in the officer area). Section pages save
as they go and return to the task list.
"""

from collections.abc import Callable
from functools import wraps
from io import BytesIO

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import login_required
from wtforms import SelectChoice

from forms.applications import (
    BeneficiariesForm,
    BudgetForm,
    ClarificationAnswerForm,
    CostForm,
    DeclarationsForm,
    OtherFundingForm,
    ProjectForm,
    PublicFundingForm,
    SectionForm,
    StartForm,
    SubmitApplicationForm,
    WithdrawForm,
)
from models.enums import ApplicationStatus, FundingStatus, Role, SectionStatus
from portal.applications import services
from portal.applications.pdf import application_pdf
from portal.applications.sections import (
    SECTIONS,
    all_sections_completed,
    answer_sections,
    profile_answers,
    section_status,
)
from portal.auth import roles_required
from portal.awards import services as award_services
from portal.exceptions import RuleBroken
from portal.views import current_person, show_rule_broken

bp = Blueprint("applications", __name__, url_prefix="/applications")
bp.add_app_template_filter(services.time_and_date, "time_and_date")

# The page each section of the task list starts on.
SECTION_ENDPOINTS = {
    "organisation": "applications.organisation",
    "project": "applications.project",
    "beneficiaries": "applications.beneficiaries",
    "budget": "applications.costs",
    "declarations": "applications.public_funding",
    "documents": "documents.section",
}


@bp.app_template_global()
def application_section_url(application, key: str) -> str | None:
    """The first page of a section; None while its pages do not exist yet (documents)."""
    endpoint = SECTION_ENDPOINTS.get(key)
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, application_id=application.id)


@bp.app_template_global()
def organisation_applications(organisation):
    """For the organisation page: its applications, shown to its members only."""
    return services.applications_for_members(current_person(), organisation)


def draft_view(view: Callable) -> Callable:
    """Load the application for a page that changes it; a submitted or withdrawn one sends the
    applicant to its read-only page with a message instead."""

    @wraps(view)
    @login_required
    def wrapped(application_id: int):
        try:
            application = services.get_draft(current_person(), application_id)
        except RuleBroken as error:
            flash(error.message)
            return redirect(url_for("applications.show", application_id=application_id))
        return view(application)

    return wrapped


def _show_problems(form, problems: dict[str, str]) -> None:
    for name, message in problems.items():
        show_rule_broken(form, RuleBroken(message, field=name))


def _completed(application, key: str) -> str | None:
    """Prefill 'Have you completed this section?' with yes for a completed section."""
    return "yes" if section_status(application, key) is SectionStatus.COMPLETED else None


def _to_task_list(application):
    return redirect(url_for("applications.show", application_id=application.id))


# Your applications and starting one -------------------------------------------------------


@bp.get("/")
@roles_required(Role.APPLICANT)
def index():
    """Your applications: each organisation's applications, and the rounds open now."""
    return render_template("applications/index.html", groups=services.dashboard(current_person()),
                           rounds=services.open_rounds())


@bp.route("/start", methods=["GET", "POST"])
@roles_required(Role.APPLICANT)
def start():
    """Choose the organisation (when the applicant has several) and the round."""
    organisations = services.member_organisations(current_person())
    rounds = services.open_rounds()
    form = StartForm(organisation_id=request.args.get("organisation_id", type=int),
                     round_id=request.args.get("round_id", type=int))
    form.organisation_id.choices = [SelectChoice(o.id, o.name) for o in organisations]
    form.round_id.choices = [SelectChoice(r.id, f"{r.scheme.name}: {r.name}") for r in rounds]
    if len(organisations) == 1 and not form.is_submitted():
        form.organisation_id.data = organisations[0].id
    if organisations and rounds and form.validate_on_submit():
        try:
            application, created = services.start_application(
                current_person(), form.organisation_id.data, form.round_id.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            if not created:
                flash("Your organisation already has an application to this round. "
                      "You can carry on with it here.")
            return _to_task_list(application)
    return render_template("applications/start.html", form=form, organisations=organisations,
                           rounds=rounds)


@bp.get("/<int:application_id>")
@login_required
def show(application_id: int):
    """A draft's task list; a submitted or withdrawn application, read-only."""
    application = services.get_application(current_person(), application_id)
    if application.status is not ApplicationStatus.DRAFT:
        return render_template(
            "applications/view.html", application=application,
            answer_sections=_answers(application),
            documents_url=application_section_url(application, "documents"),
            can_withdraw=services.can_withdraw(application),
            progress=services.progress(application), answer_form=ClarificationAnswerForm(),
            award=award_services.award_of(application))
    sections = [(key, title, section_status(application, key)) for key, title in SECTIONS]
    return render_template(
        "applications/task_list.html", application=application, sections=sections,
        completed_count=sum(status is SectionStatus.COMPLETED for _, _, status in sections),
        failures=services.task_list_warnings(application),
        ready=all_sections_completed(application))


def _answers(application):
    return answer_sections(application, services.organisation_profile(application))



# The sections -----------------------------------------------------------------------------


@bp.route("/<int:application_id>/organisation", methods=["GET", "POST"])
@draft_view
def organisation(application):
    """Your organisation: the profile as the portal has it, confirmed by the applicant."""
    form = SectionForm(completed=_completed(application, "organisation"))
    if form.validate_on_submit():
        problems = services.confirm_organisation(current_person(), application, form.is_completed)
        if not problems:
            return _to_task_list(application)
        _show_problems(form, problems)
    return render_template(
        "applications/organisation.html", form=form, application=application,
        gaps=services.organisation_gaps(application),
        profile=profile_answers(services.organisation_profile(application)))


@bp.route("/<int:application_id>/project", methods=["GET", "POST"])
@draft_view
def project(application):
    form = ProjectForm(obj=application, completed=_completed(application, "project"))
    if form.validate_on_submit():
        answers = services.ProjectAnswers(
            title=form.title.data, summary=form.summary.data,
            description=form.description.data, start_date=form.start_date.data,
            end_date=form.end_date.data)
        problems = services.save_project(current_person(), application, answers, form.is_completed)
        if not problems:
            return _to_task_list(application)
        _show_problems(form, problems)
    return render_template("applications/project.html", form=form, application=application)


@bp.route("/<int:application_id>/beneficiaries", methods=["GET", "POST"])
@draft_view
def beneficiaries(application):
    form = BeneficiariesForm(
        completed=_completed(application, "beneficiaries"),
        beneficiaries=application.beneficiaries,
        beneficiary_description=application.beneficiary_description,
        wards=[w.id for w in services.prefill_wards(application)],
        themes=[t.id for t in application.themes])
    form.wards.choices = [SelectChoice(w.id, w.name)
                          for w in services.ward_choices(application.round)]
    form.themes.choices = [SelectChoice(t.id, t.name)
                           for t in services.theme_choices(application.round)]
    if form.validate_on_submit():
        problems = services.save_beneficiaries(
            current_person(), application, number=form.beneficiaries.data,
            description=form.beneficiary_description.data, ward_ids=form.wards.data,
            theme_ids=form.themes.data, completed=form.is_completed)
        if not problems:
            return _to_task_list(application)
        _show_problems(form, problems)
    return render_template("applications/beneficiaries.html", form=form,
                           application=application)


@bp.route("/<int:application_id>/budget", methods=["GET", "POST"])
@draft_view
def costs(application):
    """Budget, page 1: the project's costs, added one at a time."""
    form = CostForm()
    if form.validate_on_submit():
        services.add_cost(current_person(), application, form.description.data, form.amount.data)
        flash(f"Cost added: {form.description.data}", "success")
        return redirect(url_for("applications.costs", application_id=application.id))
    return render_template("applications/costs.html", form=form, application=application)


@bp.route("/<int:application_id>/budget/other-funding", methods=["GET", "POST"])
@draft_view
def other_funding(application):
    """Budget, page 2: other funding for the project, secured or applied for."""
    form = OtherFundingForm()
    if form.validate_on_submit():
        services.add_other_funding(current_person(), application, form.source.data,
                                   form.amount.data, FundingStatus(form.status.data))
        flash(f"Funding added: {form.source.data}", "success")
        return redirect(url_for("applications.other_funding", application_id=application.id))
    return render_template("applications/other_funding.html", form=form,
                           application=application)


@bp.route("/<int:application_id>/budget/amount", methods=["GET", "POST"])
@draft_view
def budget(application):
    """Budget, page 3: the amount requested, and whether the budget is complete."""
    form = BudgetForm(completed=_completed(application, "budget"),
                      amount_requested=application.amount_requested_pence)
    if form.validate_on_submit():
        problems = services.save_budget(current_person(), application, form.amount_requested.data,
                                        form.is_completed)
        if not problems:
            return _to_task_list(application)
        _show_problems(form, problems)
    return render_template("applications/budget.html", form=form, application=application)


@bp.route("/<int:application_id>/declarations/public-funding", methods=["GET", "POST"])
@draft_view
def public_funding(application):
    """Declarations, page 1: other public funding in this and the previous two years."""
    form = PublicFundingForm()
    years = services.public_funding_years(application.round)
    form.financial_year.choices = [SelectChoice(year, year) for year in years]
    if form.validate_on_submit():
        try:
            services.add_public_funding(
                current_person(), application, funder=form.funder.data, purpose=form.purpose.data,
                financial_year=form.financial_year.data, amount_pence=form.amount.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"Funding added: {form.funder.data}", "success")
            return redirect(url_for("applications.public_funding",
                                    application_id=application.id))
    return render_template("applications/public_funding.html", form=form,
                           application=application, years=years)


@bp.route("/<int:application_id>/declarations", methods=["GET", "POST"])
@draft_view
def declarations(application):
    """Declarations, page 2: connections to the council, safeguarding and data protection."""
    has_conflict = application.has_conflict_of_interest
    form = DeclarationsForm(
        completed=_completed(application, "declarations"),
        has_conflict=None if has_conflict is None else ("yes" if has_conflict else "no"),
        conflict_details=application.conflict_of_interest_details,
        safeguarding=application.safeguarding_confirmed,
        data_protection=application.data_protection_confirmed)
    if form.validate_on_submit():
        answers = services.DeclarationAnswers(
            has_conflict={"yes": True, "no": False}.get(form.has_conflict.data),
            conflict_details=form.conflict_details.data,
            safeguarding=form.safeguarding.data, data_protection=form.data_protection.data)
        problems = services.save_declarations(current_person(), application, answers,
                                              form.is_completed)
        if not problems:
            return _to_task_list(application)
        _show_problems(form, problems)
    return render_template("applications/declarations.html", form=form,
                           application=application)


@bp.post("/<int:application_id>/remove")
@draft_view
def remove_row(application):
    """Remove one cost, other funding or public funding row, then go back to its list."""
    kind, row_id = request.form.get("kind"), request.form.get("row_id", type=int)
    pages = {"costs": "applications.costs", "other-funding": "applications.other_funding",
             "public-funding": "applications.public_funding"}
    if kind not in pages or row_id is None:
        return _to_task_list(application)
    services.remove_row(current_person(), application, kind, row_id)
    flash("Removed.", "success")
    return redirect(url_for(pages[kind], application_id=application.id))


# Checking, submitting and withdrawing -----------------------------------------------------


@bp.route("/<int:application_id>/check-answers", methods=["GET", "POST"])
@draft_view
def check_answers(application):
    """Check your answers, then submit with a declaration."""
    if not all_sections_completed(application):
        flash("Complete every section before you check your answers.")
        return _to_task_list(application)
    form = SubmitApplicationForm()
    form.declaration.label.text = ("I confirm the information is correct and I am authorised "
                                   f"to apply on behalf of {application.organisation.name}")
    failures = []
    if form.validate_on_submit():
        try:
            services.submit_application(current_person(), application.id)
        except services.SubmissionRefused as refused:
            failures = refused.failures
        else:
            return redirect(url_for("applications.submitted", application_id=application.id))
    elif request.method == "GET":
        failures = services.submission_problems(application)
    return render_template("applications/check_answers.html", form=form,
                           application=application, failures=failures,
                           answer_sections=_answers(application),
                           documents_url=application_section_url(application, "documents"))


@bp.get("/<int:application_id>/submitted")
@login_required
def submitted(application_id: int):
    """The confirmation, with the reference."""
    application = services.get_application(current_person(), application_id)
    if application.status is not ApplicationStatus.SUBMITTED:
        return _to_task_list(application)
    return render_template("applications/submitted.html", application=application)


@bp.route("/<int:application_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(application_id: int):
    """Withdraw a draft or a submitted application before a decision, giving a reason."""
    application = services.get_application(current_person(), application_id)
    if not services.can_withdraw(application):
        flash("This application can no longer be withdrawn.")
        return _to_task_list(application)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw_application(current_person(), application.id, form.reason.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your application has been withdrawn.", "success")
            return _to_task_list(application)
    return render_template("applications/withdraw.html", form=form, application=application)


@bp.route("/<int:application_id>/clarification", methods=["GET", "POST"])
@login_required
def answer_clarification(application_id: int):
    """Answer the grants team's question; the application goes back to their checks."""
    application, questions = services.open_questions(current_person(), application_id)
    if not questions:
        flash("There is no question waiting for your answer.")
        return _to_task_list(application)
    form = ClarificationAnswerForm()
    if form.validate_on_submit():
        try:
            services.answer_clarification(current_person(), application.id, form.answer.data)
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("Your answer has been sent to the grants team.", "success")
            return _to_task_list(application)
    return render_template("applications/clarification.html", form=form,
                           application=application, questions=questions)


@bp.get("/<int:application_id>/pdf")
@login_required
def download(application_id: int):
    """A PDF copy of the application (as sent, or as the draft stands), as an attachment."""
    application = services.get_application(current_person(), application_id)
    name = f"{application.reference or f'draft-application-{application.id}'}.pdf"
    return send_file(BytesIO(application_pdf(application)), mimetype="application/pdf",
                     as_attachment=True, download_name=name)
