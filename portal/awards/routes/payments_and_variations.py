"""Paying an award, recovering money from it, varying it, recording that its special
conditions are met and closing it: the grants officers' pages."""

from flask import flash, redirect, render_template, request, url_for

from forms.awards import CloseForm, RecoveryForm, pot_ids_sent, terms_data, variation_form
from forms.funding import payment_form
from models.base import utcnow
from models.enums import RecoveryKind, Role
from portal.auth import roles_required
from portal.awards import closure, payments, services, variations
from portal.awards.routes import award_for, bp
from portal.dates import to_london
from portal.exceptions import RuleBroken
from portal.money import format_pounds
from portal.views import current_person, show_rule_broken


def _payments(award_id: int) -> payments.PaymentsView:
    return payments.payments_view(current_person(), award_for(award_id))


@bp.route("/<int:award_id>/payments/new", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def record_payment(award_id: int):
    """Record a payment made against one of the award's scheduled payments."""
    view = _payments(award_id)
    form = payment_form([(row.instalment.id, row.label) for row in view.schedule
                         if row.left_pence], data={"paid_on": to_london(utcnow()).date()})
    if view.can_pay and form.validate_on_submit():
        try:
            payments.record_payment(current_person(), award_id, payments.PaymentDetails(
                instalment_id=form.instalment.data, paid_on=form.paid_on.data,
                amount_pence=form.amount.data, reference=form.reference.data), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The payment of {format_pounds(form.amount.data)} has been recorded and "
                  "the organisation told.", "success")
            return redirect(url_for("awards.award", award_id=award_id))
    return render_template("awards/record_payment.html", view=view, form=form,
                           warnings=view.warnings(to_london(utcnow()).date()))


@bp.post("/<int:award_id>/conditions-met")
@roles_required(Role.GRANTS_OFFICER)
def conditions_met(award_id: int):
    """Record that the award's special conditions have been met."""
    try:
        services.record_conditions_met(current_person(), award_id, utcnow())
    except RuleBroken as error:
        flash(error.message, "important")
    else:
        flash("The special conditions have been recorded as met.", "success")
    return redirect(url_for("awards.award", award_id=award_id))


@bp.route("/<int:award_id>/recoveries/new", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def record_recovery(award_id: int):
    """Record money recovered from the organisation: a clawback or a repayment."""
    view = _payments(award_id)
    form = RecoveryForm()
    if view.can_recover and form.validate_on_submit():
        try:
            payments.record_recovery(current_person(), award_id, payments.RecoveryDetails(
                kind=RecoveryKind(form.kind.data), amount_pence=form.amount.data,
                received_on=form.received_on.data, reason=form.reason.data), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The {form.kind.data} of {format_pounds(form.amount.data)} has been "
                  "recorded and the money released to the funding pots.", "success")
            return redirect(url_for("awards.award", award_id=award_id))
    return render_template("awards/record_recovery.html", view=view, form=form)


def _variation_page(award_id: int) -> variations.VariationPage:
    return variations.variation_page(current_person(), award_id)


@bp.route("/<int:award_id>/vary", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def vary(award_id: int):
    """Vary the award's amount, split, dates, schedule or returns, with a reason: a new
    version of its terms."""
    page = _variation_page(award_id)
    listed = [choice.pot.id for choice in page.pots]
    if request.method == "POST":
        form = variation_form(sorted(set(listed) | set(pot_ids_sent(request.form))))
    else:
        form = variation_form(listed, data={
            "amount": page.award.amount_pence, **terms_data(page.current),
            **{f"pot_{allocation.pot_id}": allocation.amount_pence
               for allocation in page.award.allocations}})
    if not page.why_not and form.validate_on_submit():
        try:
            variations.vary(current_person(), award_id, variations.Variation(
                amount_pence=form.amount.data, allocations=form.allocations(),
                terms=form.terms(), reason=form.reason.data), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error, form.field_for(error.field))
            page = _variation_page(award_id)
        else:
            flash(f"The award {page.award.reference} has been varied and the organisation "
                  "told.", "success")
            return redirect(url_for("awards.award", award_id=award_id))
    return render_template("awards/vary.html", page=page, form=form)


@bp.get("/<int:award_id>/versions")
@roles_required(Role.GRANTS_OFFICER)
def versions(award_id: int):
    """Every version of the award's terms: the offer and each variation, with its reason."""
    found = variations.versions(current_person(), award_id)
    return render_template("awards/versions.html", found=found)


@bp.route("/<int:award_id>/close", methods=["GET", "POST"])
@roles_required(Role.GRANTS_OFFICER)
def close(award_id: int):
    """What closing the award does to its money, then closing it."""
    plan = closure.closure(current_person(), award_id)
    form = CloseForm(data={"received_on": to_london(utcnow()).date()})
    if not plan.why_not and form.validate_on_submit():
        try:
            closure.close(current_person(), award_id, closure.ClosureDetails(
                received_on=form.received_on.data, note=form.note.data or ""), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The award {plan.award.reference} has been closed and the organisation "
                  "told.", "success")
            return redirect(url_for("awards.award", award_id=award_id))
    return render_template("awards/close.html", plan=plan, form=form)
