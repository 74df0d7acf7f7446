"""Commissioners paying a contract at the same moment never pay an instalment twice or pay
more than its year's pots hold committed to it.

On PostgreSQL the calls run at once from threads (tests/concurrency.py): the contract's row
lock (portal.contracts.years.lock) makes payments of one contract take turns, so each sees
what the one before it paid. On SQLite they run one after another, and the outcome must be
the same."""

from datetime import date

import pytest
from sqlalchemy import func, select

from models import AuditEvent, ContractPayment, User
from models.base import db
from models.enums import Role
from portal.contracts import payments
from portal.funding.payments import PaymentDetails
from tests.concurrency import DONE, REFUSED, at_once
from tests.contracts.test_contract_payments import JULY_2024, QUARTER, balance, instalment, pay
from tests.contracts.test_contract_payments import planned as planned_contract
from tests.factories import UserFactory

THREADS = 8


@pytest.fixture
def commissioner(ctx):
    return UserFactory(roles=(Role.COMMISSIONER,))


def _pay(commissioner_id: int, contract_id: int, instalment_id: int, amount: int):
    """A call recording a payment of `amount` against the instalment, as the commissioner:
    what the record-a-payment page sends."""
    def call() -> ContractPayment:
        return payments.record_payment(
            db.session.get(User, commissioner_id), contract_id,
            PaymentDetails(instalment_id, date(2024, 7, 1), amount, "BACS-LAST"), JULY_2024)
    return call


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_commissioners_paying_the_last_of_one_instalment_at_once_pay_it_once(
        app, backend, commissioner):
    contract, core, external = planned_contract(commissioner)
    pay(commissioner, contract, 3_000_00)
    last = instalment(contract, 1)
    others = [UserFactory(roles=(Role.COMMISSIONER,)) for _ in range(THREADS)]

    outcomes = at_once(app, backend, [_pay(other.id, contract.id, last.id, 2_000_00)
                                      for other in others])

    # Paid or refused: no thread met a deadlock, serialisation or other database error.
    assert sorted(outcomes) == [DONE] + [REFUSED] * (THREADS - 1)
    db.session.expire_all()
    assert balance(core).paid_pence + balance(external).paid_pence == QUARTER
    assert _count(ContractPayment, ContractPayment.instalment_id == last.id) == 2
    assert _count(AuditEvent, AuditEvent.action == "contract.paid") == 2


def test_paying_two_quarters_at_once_never_pays_more_than_the_year_holds(
        app, backend, commissioner):
    """Only £6,000 of the year's £20,000 is committed (the external pot is short): two
    commissioners paying quarters 1 and 2 in full at once pay one of them."""
    contract, _, external = planned_contract(commissioner, core=0, external=20_000_00,
                                             external_budget=6_000_00)
    quarters = [instalment(contract, 1), instalment(contract, 2)]
    outcomes = at_once(app, backend, [_pay(commissioner.id, contract.id, each.id, QUARTER)
                                      for each in quarters])
    assert sorted(outcomes) == [DONE, REFUSED]
    db.session.expire_all()
    assert balance(external).paid_pence == QUARTER
    assert _count(ContractPayment) == 1
