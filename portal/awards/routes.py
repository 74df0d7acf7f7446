"""Award offers: the grants officers' pages (making one from an approved decision, seeing it,
withdrawing it, a round's awards) and the organisation's (seeing its offer, accepting or
declining it)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from forms.awards import DeclineForm, WithdrawForm, accept_form, offer_form, pot_ids_sent
from models.base import utcnow
from models.enums import Role
from portal.auth import roles_required
from portal.awards import services
from portal.exceptions import RuleBroken
from portal.views import page_number, show_rule_broken

bp = Blueprint("awards", __name__, url_prefix="/awards")


def _user():
    return current_user._get_current_object()


def _offer_page(application_id: int) -> services.OfferPage:
    try:
        return services.offer_page(_user(), application_id)
    except LookupError:
        abort(404)


def _award(award_id: int):
    try:
        return services.award(_user(), award_id)
    except LookupError:
        abort(404)


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
            "standard_conditions": services.standard_conditions(),
            "accept_by": services.default_accept_by(utcnow())})
    if not page.why_not and form.validate_on_submit():
        try:
            award = services.make_offer(_user(), page.application.id, services.OfferDetails(
                allocations=form.allocations(),
                standard_conditions=form.standard_conditions.data,
                special_conditions=form.special_conditions.data or "",
                accept_by=form.accept_by.data, terms=page.terms), utcnow())
        except RuleBroken as error:
            pot_fields = form.pot_fields()
            if error.field == "allocations" and pot_fields:
                error = RuleBroken(error.message, field=pot_fields[0].name)
            show_rule_broken(form, error)
            page = _offer_page(submitted_application_id)
        else:
            flash(f"The award offer for {award.reference} has been made and its money "
                  "committed from the funding pots.", "success")
            return redirect(url_for("awards.award", award_id=award.id))
    return render_template("awards/new_offer.html", page=page, form=form)


@bp.get("/<int:award_id>")
@roles_required(Role.GRANTS_OFFICER)
def award(award_id: int):
    """An award: its amount, conditions, the pots that pay for it and its ledger entries."""
    found = _award(award_id)
    return render_template("awards/award.html", award=found,
                           entries=services.ledger_entries(_user(), found.id))


@bp.route("/<int:award_id>/withdraw", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def withdraw(award_id: int):
    """Withdraw an offer not yet accepted, releasing its money to the pots."""
    found = _award(award_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            services.withdraw(_user(), found.id, form.reason.data, utcnow())
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
    try:
        awards = services.round_awards(_user(), round_id, page_number())
    except LookupError:
        abort(404)
    return render_template("awards/round_awards.html", awards=awards)


# The organisation's pages --------------------------------------------------------------------


def _refused(award_id: int, error: RuleBroken):
    """An answer refused as a whole (not an admin, no longer open): say why on the offer."""
    flash(error.message, "important")
    return redirect(url_for("awards.offer", award_id=award_id))


@bp.get("/offers/<int:award_id>")
@login_required
def offer(award_id: int):
    """The organisation's offer: amount, funders, conditions, the date to accept by and, for
    its admins while it is open, the acceptance form."""
    view = services.offer_view(_user(), award_id, utcnow())
    return render_template("awards/offer.html", view=view,
                           form=accept_form(view.award.application.organisation.name))


@bp.post("/offers/<int:award_id>/accept")
@login_required
def accept(award_id: int):
    """Accept the offer for the organisation, as a named signatory."""
    view = services.offer_view(_user(), award_id, utcnow())
    form = accept_form(view.award.application.organisation.name)
    if form.validate_on_submit():
        try:
            services.accept(_user(), award_id, services.Acceptance(
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
    return render_template("awards/offer.html", view=view, form=form)


@bp.route("/offers/<int:award_id>/decline", methods=["GET", "POST"])
@login_required
def decline(award_id: int):
    """Decline the offer for the organisation, saying why; its money goes back to the pots."""
    view = services.offer_view(_user(), award_id, utcnow())
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(_user(), award_id, form.reason.data, utcnow())
        except RuleBroken as error:
            if error.field is None:
                return _refused(award_id, error)
            show_rule_broken(form, error)
        else:
            flash(f"You have declined the grant offer {view.award.reference}.", "success")
            return redirect(url_for("awards.offer", award_id=award_id))
    return render_template("awards/decline.html", view=view, form=form)
