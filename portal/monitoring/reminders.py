"""Monitoring's part of the daily run: each active contract's quarterly returns that are due
soon or overdue and not sent, reminded once to the provider's admins
(`portal.reminders.send_once`)."""

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models import Contract, ContractReturn, Membership, Organisation
from models.enums import ContractStatus, OrganisationRole, ReminderKind
from portal.dates import format_date
from portal.extensions import db
from portal.mail import public_url
from portal.monitoring.quarters import Quarter, contract_quarters, due_on, has_ended, today_in_uk
from portal.reminders import send_once

NOTICE = timedelta(days=14)


def _unsent(contract: Contract, sent: set[tuple[str, int]], now: datetime) -> list[Quarter]:
    """The contract's quarters that have ended, whose return is not sent and is due within
    the notice period or overdue."""
    today = today_in_uk(now)
    return [quarter for quarter in contract_quarters(contract.starts_on, contract.ends_on,
                                                     contract.terminated_on)
            if has_ended(quarter, now) and (quarter.year.label, quarter.number) not in sent
            and due_on(quarter) <= today + NOTICE]


def remind(now: datetime) -> Counter:
    """Send the contract returns' reminders due today; how many of each kind were sent."""
    counts: Counter = Counter()
    today = today_in_uk(now)
    contracts = list(db.session.scalars(
        select(Contract).where(Contract.status == ContractStatus.ACTIVE)
        .options(selectinload(Contract.provider).selectinload(Organisation.memberships)
                 .joinedload(Membership.user))
        .order_by(Contract.id)))
    sent = {(contract_id, (year, quarter)) for contract_id, year, quarter in db.session.execute(
        select(ContractReturn.contract_id, ContractReturn.financial_year,
               ContractReturn.quarter))}
    for contract in contracts:
        admins = [membership.user for membership in contract.provider.memberships
                  if membership.role is OrganisationRole.ADMIN]
        sent_here = {key for contract_id, key in sent if contract_id == contract.id}
        for quarter in _unsent(contract, sent_here, now):
            due = due_on(quarter)
            overdue = today > due
            kind = (ReminderKind.CONTRACT_RETURN_OVERDUE if overdue
                    else ReminderKind.CONTRACT_RETURN_DUE)
            when = f"was due on {format_date(due)}" if overdue else f"is due on {format_date(due)}"
            counts[kind] += send_once(
                kind, f"contract-return:{contract.id}:{quarter.year.slug}-q{quarter.number}:"
                      f"{'overdue' if overdue else 'due'}", admins,
                f"Monitoring return for {quarter.label}, contract {contract.reference}, {when}",
                now, lines=[f"The monitoring return for {quarter.label} ({quarter.months}) of "
                            f"contract {contract.reference}, {contract.title}, {when}."],
                link=public_url("monitoring.submit_return", contract_id=contract.id,
                                year=quarter.year.slug, quarter=quarter.number),
                link_text="Send the return")
    return counts
