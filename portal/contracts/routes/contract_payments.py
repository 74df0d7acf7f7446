"""A contract's payments: the quarterly schedule, what has been paid, and recording a payment."""

from flask import flash, redirect, render_template, request, url_for

from forms.funding import payment_form
from models.base import utcnow
from models.enums import Role
from portal.auth import roles_required
from portal.contracts import payments
from portal.contracts.routes import bp, contract_for
from portal.exceptions import RuleBroken
from portal.money import format_pounds
from portal.views import current_person, show_rule_broken


def _payments(contract_id: int) -> payments.PaymentsView:
    return payments.payments_view(current_person(), contract_for(contract_id), utcnow())


@bp.get("/<int:contract_id>/payments", endpoint="payments")
@roles_required(Role.COMMISSIONER)
def contract_payments(contract_id: int):
    """The contract's quarterly schedule with what has been paid of each instalment, its
    payments and their pots, and the totals."""
    return render_template("contracts/payments.html", view=_payments(contract_id))


@bp.route("/<int:contract_id>/payments/new", methods=["GET", "POST"])
@roles_required(Role.COMMISSIONER)
def record_payment(contract_id: int):
    """Record a payment made against one of the contract's instalments; ?instalment=<id>
    chooses the instalment and fills in what is left of it."""
    view = _payments(contract_id)
    chosen = view.to_pay(request.args.get("instalment", type=int))
    form = payment_form([(row.instalment.id, row.choice) for row in view.unpaid_rows], data={
        "instalment": chosen and chosen.instalment.id, "paid_on": view.today,
        "amount": chosen and (chosen.payable_pence or chosen.left_pence)})
    if view.can_pay and form.validate_on_submit():
        try:
            payments.record_payment(current_person(), contract_id, payments.PaymentDetails(
                instalment_id=form.instalment.data, paid_on=form.paid_on.data,
                amount_pence=form.amount.data, reference=form.reference.data), utcnow())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash(f"The payment of {format_pounds(form.amount.data)} has been recorded.",
                  "success")
            return redirect(url_for("contracts.payments", contract_id=contract_id))
    return render_template("contracts/payment_form.html", view=view, form=form)
