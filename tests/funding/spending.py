"""Awards made through the awards service from pots of two financial years, for two schemes,
some paid and one withdrawn: the money the funding dashboard shows by scheme."""

from dataclasses import dataclass
from datetime import timedelta

from models import Award, FundingPot, Scheme, User
from models.base import db, utcnow
from models.enums import FundingSource, LedgerKind, Role
from portal.awards import services as awards
from portal.awards.terms import default_terms
from portal.funding import ledger
from tests.awards.conftest import approved, pot, today
from tests.factories import RoundFactory, SchemeFactory, UserFactory


def offer(round_, split: dict[FundingPot, int], **fields) -> Award:
    """A real offer through the awards service, paid from the pots in `split`, of an
    application with `fields` (its wards, say)."""
    amount = sum(split.values())
    application = approved(round_, amount, **fields)
    return awards.make_offer(
        UserFactory(roles=(Role.GRANTS_OFFICER,)), application.id, awards.OfferDetails(
            allocations={each.id: pence for each, pence in split.items()},
            standard_conditions="1. Spend it on the project.", special_conditions="",
            accept_by=today() + timedelta(days=28),
            terms=default_terms(amount, None, None, today())), utcnow())


def pay(actor: User, award: Award, split: dict[FundingPot, int]) -> None:
    """A payment of the award from its pots, as the ledger records one."""
    ledger.post(actor, [ledger.Posting(each.id, LedgerKind.PAYMENT, pence)
                        for each, pence in split.items()],
                f"Payment of {award.reference}", award_id=award.id)
    db.session.commit()


@dataclass
class World:
    plus: Scheme  # Community Plus
    anchors: Scheme  # Community Anchors
    core: FundingPot  # 2024/25
    external: FundingPot  # 2024/25
    old_core: FundingPot  # 2023/24
    first: Award  # Community Plus 2024/25, split core and external, partly paid
    second: Award  # Community Plus 2024/25, external only, withdrawn
    anchor: Award  # Community Anchors 2024/25, core only
    old: Award  # Community Plus 2023/24


def world(officer: User) -> World:
    plus = SchemeFactory(name="Community Plus")
    anchors = SchemeFactory(name="Community Anchors")
    core = pot(49_500_00, FundingSource.CORE, name="Core 24")
    external = pot(150_000_00, name="NHS partnership 24")
    old_core = pot(378_000_00, FundingSource.CORE, name="Core 23", financial_year="2023/24")
    plus_round = RoundFactory(closed=True, scheme=plus)
    first = offer(plus_round, {core: 1_000_00, external: 3_000_00})
    pay(officer, first, {core: 500_00, external: 1_500_50})
    second = offer(plus_round, {external: 2_000_00})
    awards.withdraw(officer, second.id, "The project has stopped", utcnow())
    anchor = offer(RoundFactory(closed=True, scheme=anchors), {core: 4_500_00})
    old = offer(RoundFactory(closed=True, scheme=plus, financial_year="2023/24"),
                {old_core: 2_500_00})
    pay(officer, old, {old_core: 2_500_00})
    return World(plus, anchors, core, external, old_core, first, second, anchor, old)
