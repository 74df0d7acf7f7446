"""Award offers and letters: the grants officers' pages (making an offer from an approved
decision, seeing it, withdrawing it, a round's awards, producing a round's letters) and the
organisation's (seeing its offer, accepting or declining it, its letters)."""

from flask import (
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required

from forms.awards import (
    DeclineForm,
    WithdrawForm,
    accept_form,
    offer_form,
    pot_ids_sent,
    terms_data,
)
from models.base import utcnow
from models.enums import Role
from portal.auth import roles_required
from portal.awards import letters, lifecycle, payments, returns, services
from portal.awards.routes import award_for, bp
from portal.dates import to_london
from portal.exceptions import RuleBroken
from portal.views import current_person, page_number, show_rule_broken


def _returns(found) -> list[returns.ReturnRow]:
    return returns.rows(found, to_london(utcnow()).date())


def _offer_page(application_id: int) -> services.OfferPage:
    return services.offer_page(current_person(), application_id)


@bp.route("/applications/<int:submitted_application_id>/offer", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def new_offer(submitted_application_id: int):
    """The approved amount, the pots that may pay for it with a proposed split, the
    conditions and the date to accept by; sending it makes the offer and commits the money."""
    page = _offer_page(submitted_application_id)
    if request.method == "POST":
        # The boxes sent, and every pot listed, so a box left out of the form is shown again.
        form = offer_form(sorted({choice.pot.id for choice in page.pots}
                                 | set(pot_ids_sent(request.form))))
    else:
        form = offer_form([choice.pot.id for choice in page.pots], data={
            **{f"pot_{choice.pot.id}": page.proposal.get(choice.pot.id, 0)
               for choice in page.pots},
            **(terms_data(page.terms) if page.terms else {}),
            "standard_conditions": services.standard_conditions(),
            "accept_by": services.default_accept_by(utcnow())})
    if not page.why_not and form.validate_on_submit():
        details = services.OfferDetails(
            allocations=form.allocations(),
            standard_conditions=form.standard_conditions.data,
            special_conditions=form.special_conditions.data or "",
            accept_by=form.accept_by.data, terms=form.terms(),
            minimal_financial_assistance=form.minimal_financial_assistance.data == "yes",
            subsidy_basis=form.subsidy_basis.data or "")
        try:
            award = services.make_offer(current_person(), page.application.id, details, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error, form.field_for(error.field))
            page = _offer_page(submitted_application_id)
        else:
            flash(f"The award offer for {award.reference} has been made and its money "
                  "committed from the funding pots.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template("awards/new_offer.html", page=page, form=form)


@bp.get("/<int:award_id>")
@roles_required(Role.GRANTS_OFFICER)
def award(award_id: int):
    """An award: its amount, conditions, the pots that pay for it, its ledger entries, and
    its payment schedule, payments and recoveries."""
    found = award_for(award_id)
    return render_template("awards/award.html", award=found,
                           entries=services.ledger_entries(current_person(), found.id),
                           letters=letters.letters(current_person(), found.id),
                           payments=payments.payments_view(current_person(), found),
                           returns=_returns(found))


@bp.route("/<int:award_id>/withdraw", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def withdraw(award_id: int):
    """Withdraw an offer not yet accepted, releasing its money to the pots."""
    found = award_for(award_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(current_person(), found.id, form.reason.data, utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The award offer for {found.reference} has been withdrawn and its money "
                  "released to the funding pots.", "success")
            return redirect(url_for("awards.award", award_id=found.id))
    return render_template("awards/withdraw.html", award=found, form=form)


@bp.get("/rounds/<int:round_id>")
@roles_required(Role.GRANTS_OFFICER)
def round_awards(round_id: int):
    """The round's approved applications and their awards, with the money committed."""
    awards = services.round_awards(current_person(), round_id, page_number())
    return render_template("awards/round_awards.html", awards=awards)


# The organisation's pages --------------------------------------------------------------------


def _refused(award_id: int, error: RuleBroken):
    """An answer refused as a whole (not an admin, no longer open): say why on the offer."""
    flash(error.message, "important")
    return redirect(url_for("awards.offer", award_id=award_id))


def _offer(view: services.OfferView, form):
    return render_template("awards/offer.html", view=view, form=form,
                           letters=letters.letters(current_person(), view.award.id),
                           payments=payments.payments_view(current_person(), view.award),
                           returns=_returns(view.award))


@bp.get("/offers/<int:award_id>")
@login_required
def offer(award_id: int):
    """The organisation's offer: amount, funders, conditions, the date to accept by and, for
    its admins while it is open, the acceptance form."""
    view = services.offer_view(current_person(), award_id, utcnow())
    return _offer(view, accept_form(view.award.application.organisation.name))


@bp.post("/offers/<int:award_id>/accept")
@login_required
def accept(award_id: int):
    """Accept the offer for the organisation, as a named signatory."""
    view = services.offer_view(current_person(), award_id, utcnow())
    form = accept_form(view.award.application.organisation.name)
    if form.validate_on_submit():
        try:
            services.accept(current_person(), award_id, services.Acceptance(
                signatory_name=form.signatory_name.data,
                signatory_position=form.signatory_position.data,
                confirmed=bool(form.declaration.data), ip=request.remote_addr or ""), utcnow())
        except RuleBroken as error:
            if error.field is None:
                return _refused(award_id, error)
            show_rule_broken(form, error)
        else:
            flash(f"You have accepted the grant offer {view.award.reference}.", "success")
            return redirect(url_for("awards.offer", award_id=award_id))
    return _offer(view, form)


@bp.route("/offers/<int:award_id>/decline", methods=["GET", "POST"])
@login_required
def decline(award_id: int):
    """Decline the offer for the organisation, saying why; its money goes back to the pots."""
    view = services.offer_view(current_person(), award_id, utcnow())
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(current_person(), award_id, form.reason.data, utcnow())
        except RuleBroken as error:
            if error.field is None:
                return _refused(award_id, error)
            show_rule_broken(form, error)
        else:
            flash(f"You have declined the grant offer {view.award.reference}.", "success")
            return redirect(url_for("awards.offer", award_id=award_id))
    return render_template("awards/decline.html", view=view, form=form)


# Letters -------------------------------------------------------------------------------------


def _pdf(stored, award_reference: str, pdf: bytes):
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{letters.filename(award_reference, stored)}"')
    return response


def _letter_unavailable(error: letters.LetterUnavailable):
    return render_template("awards/letter_unavailable.html", message=str(error)), 404


@bp.get("/<int:award_id>/letter.pdf")
@login_required
def letter(award_id: int):
    """The award's letter as it stands now (made and stored if its data changed)."""
    stored, pdf = letters.letter(current_person(), award_id)
    return _pdf(stored, stored.award.reference, pdf)


@bp.get("/<int:award_id>/letters/<int:number>.pdf")
@login_required
def letter_version(award_id: int, number: int):
    """One stored version of the award's letter."""
    try:
        stored, pdf = letters.letter_version(current_person(), award_id, number)
    except letters.LetterUnavailable as error:
        return _letter_unavailable(error)
    return _pdf(stored, stored.award.reference, pdf)


@bp.post("/rounds/<int:round_id>/letters")
@roles_required(Role.GRANTS_OFFICER)
def start_letters(round_id: int):
    """Produce every letter of the round, as a job; its page shows how far it has got."""
    batch = letters.start_batch(current_person(), round_id)
    return redirect(url_for("awards.letter_batch", round_id=round_id, batch_id=batch.id))


def _batch(round_id: int, batch_id: int):
    return letters.batch(current_person(), round_id, batch_id)


@bp.get("/rounds/<int:round_id>/letters/<int:batch_id>")
@roles_required(Role.GRANTS_OFFICER)
def letter_batch(round_id: int, batch_id: int):
    """A batch of the round's letters: n of N produced, then the ZIP to download."""
    return render_template("awards/letter_batch.html", batch=_batch(round_id, batch_id))


@bp.get("/rounds/<int:round_id>/letters/<int:batch_id>/status.json")
@roles_required(Role.GRANTS_OFFICER)
def letter_batch_status(round_id: int, batch_id: int):
    """The batch's progress, for the page to update itself while it runs."""
    batch = _batch(round_id, batch_id)
    response = jsonify(status=batch.status.value, label=batch.status.label, done=batch.done,
                       total=batch.total, error=batch.error,
                       zip_url=url_for("awards.letter_batch_zip", round_id=round_id,
                                       batch_id=batch_id) if lifecycle.letters_ready(batch)
                       else None)
    return response


@bp.get("/rounds/<int:round_id>/letters/<int:batch_id>/letters.zip")
@roles_required(Role.GRANTS_OFFICER)
def letter_batch_zip(round_id: int, batch_id: int):
    """The round's letters, one PDF per award, once the batch is done."""
    try:
        batch, archive = letters.batch_zip(current_person(), round_id, batch_id)
    except letters.LetterUnavailable as error:
        return _letter_unavailable(error)
    response = make_response(archive)
    response.headers["Content-Type"] = "application/zip"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="round-{round_id}-letters-{batch.id}.zip"')
    return response
