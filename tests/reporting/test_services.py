"""The taper figures of a programme and of a grant scheme, worked out from contract years,
award allocations and the ledger, and reconciled with the ledger's own sums."""

import pytest
from sqlalchemy import select

from models import LedgerEntry
from models.base import db
from models.enums import FundingSource, Role
from portal import policies
from portal.exceptions import NotAllowed, NotFound
from portal.funding.ledger import balances
from portal.reporting import services
from portal.reporting.services import NO_LOCALITY, TaperRow
from tests.factories import ProgrammeFactory, SchemeFactory, UserFactory
from tests.reporting.tapers import (
    ANCHORS_TABLE,
    ANCHORS_TOTAL,
    PLUS_TABLE,
    anchors,
    community_plus,
)


def pence(pounds) -> int | None:
    return None if pounds is None else round(pounds * 100)


def figures(row: TaperRow) -> tuple:
    """A row's figures as the tables in tests.reporting.tapers give them, in pence."""
    return (row.core_target_pence, row.core.planned_pence, row.external.planned_pence,
            row.core.committed_pence, row.external.committed_pence, row.core.paid_pence,
            row.external.paid_pence, row.core_over_target_pence, row.external_gap_pence)


def expected(table: dict) -> dict:
    return {year: tuple(pence(value) for value in values) for year, values in table.items()}


def test_a_programmes_taper_by_year_from_contract_years_and_the_ledger(ctx):
    world = anchors()

    taper = services.programme_taper(world.commissioner, world.programme.id)

    assert (taper.code, taper.name) == ("ANCHORS", "Community Anchors 2024–27")
    assert {row.financial_year: figures(row) for row in taper.rows} == expected(ANCHORS_TABLE)
    assert taper.total.financial_year == "Total"
    assert figures(taper.total) == tuple(pence(value) for value in ANCHORS_TOTAL)
    assert taper.total.total.planned_pence == 795_000_00


def test_the_programmes_committed_and_paid_reconcile_with_the_ledger(ctx):
    """The table's committed and paid add up to the sums of the ledger entries of the
    programme's contracts, kind by kind; the grant award's money in the same pot is not
    counted, and with it the pots' own figures are made up."""
    world = anchors()
    contracts = {world.huddersfield.id, world.batley.id, world.infrastructure.id}
    entries = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.contract_id.in_(contracts)))
    sums: dict[str, int] = {}
    for entry in entries:
        sums[entry.kind.value] = sums.get(entry.kind.value, 0) + entry.amount_pence

    total = services.programme_taper(world.commissioner, world.programme.id).total

    assert total.total.committed_pence == sums["commitment"] - sums["release"]
    assert total.total.paid_pence == sums["payment"] - sums["clawback"]
    pots = balances([world.core.id, world.external.id])
    assert pots[world.core.id].committed_pence == total.core.committed_pence + 3_000_00
    assert pots[world.external.id].committed_pence == total.external.committed_pence
    assert pots[world.core.id].paid_pence == total.core.paid_pence
    assert pots[world.external.id].paid_pence == total.external.paid_pence


def test_a_programmes_breakdowns_by_locality_and_lot(ctx):
    world = anchors()

    taper = services.programme_taper(world.commissioner, world.programme.id)

    def rows(breakdown):
        return [(row.group, row.financial_year, row.core.planned_pence,
                 row.external.planned_pence, row.core.committed_pence,
                 row.external.committed_pence) for row in breakdown]

    assert rows(taper.by_locality) == [
        ("Huddersfield", "2024/25", 100_000_00, 150_000_00, 100_000_00, 150_000_00),
        ("Huddersfield", "2025/26", 80_000_00, 170_000_00, 0, 0),
        ("Kirklees Rural", "2024/25", 5_000_00, 0, 0, 0),
        (NO_LOCALITY, "2024/25", 80_000_00, 100_000_00, 80_000_00, 90_000_00),
        (NO_LOCALITY, "2026/27", 50_000_00, 60_000_00, 0, 0),
    ]
    assert rows(taper.by_lot) == [
        ("Lead locality anchor", "2024/25", 100_000_00, 150_000_00, 100_000_00, 150_000_00),
        ("Lead locality anchor", "2025/26", 80_000_00, 170_000_00, 0, 0),
        ("Local anchor", "2024/25", 80_000_00, 100_000_00, 80_000_00, 90_000_00),
        ("Local anchor", "2026/27", 50_000_00, 60_000_00, 0, 0),
        ("VCS infrastructure", "2024/25", 5_000_00, 0, 0, 0),
    ]


def test_a_programme_without_targets_or_money_has_no_rows(ctx):
    commissioner = UserFactory(roles=(Role.COMMISSIONER,))
    programme = ProgrammeFactory()

    taper = services.programme_taper(commissioner, programme.id)

    assert taper.rows == []
    assert taper.total.core_target_pence is None
    assert taper.total.core_over_target_pence is None


def test_a_schemes_taper_from_its_awards(ctx):
    world = community_plus()
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))

    taper = services.scheme_taper(officer, world.scheme.id)

    assert (taper.code, taper.name) == ("CPG", "Community Plus")
    assert {row.financial_year: figures(row) for row in taper.rows} == expected(PLUS_TABLE)
    assert (taper.by_locality, taper.by_lot) == ([], [])


def test_the_schemes_committed_and_paid_are_the_funding_dashboards(ctx):
    """The scheme's figures are the same ledger sums as the funding dashboard's rows for
    the scheme."""
    from portal.funding import services as funding

    world = community_plus()
    officer = UserFactory(roles=(Role.GRANTS_OFFICER,))
    taper = services.scheme_taper(officer, world.scheme.id)
    dashboard = funding.dashboard(officer)

    for row in taper.rows:
        [scheme_row] = [each for group in dashboard.groups for each in group.schemes
                        if each.scheme_id == world.scheme.id and each.year == row.financial_year]
        for source, mine in ((FundingSource.CORE, row.core),
                             (FundingSource.EXTERNAL, row.external)):
            assert scheme_row.by_source[source].committed_pence == mine.committed_pence
            assert scheme_row.by_source[source].paid_pence == mine.paid_pence


@pytest.mark.parametrize(("role", "sees_programmes", "sees_schemes"), [
    (Role.COMMISSIONER, True, True), (Role.GRANTS_OFFICER, False, True),
    (Role.ADMIN, False, False), (Role.ASSESSOR, False, False), (Role.APPLICANT, False, False)])
def test_who_sees_the_tapers(ctx, role, sees_programmes, sees_schemes):
    person = UserFactory(roles=(role,))
    programme, scheme = ProgrammeFactory(), SchemeFactory()
    assert policies.can_view_taper(person) is sees_schemes
    assert policies.can_view_taper(None) is False
    for load, subject, allowed in ((services.programme_taper, programme, sees_programmes),
                                   (services.scheme_taper, scheme, sees_schemes)):
        if allowed:
            assert load(person, subject.id).subject_id == subject.id
        else:
            with pytest.raises(NotAllowed):
                load(person, subject.id)


def test_an_admin_who_is_also_a_grants_officer_sees_scheme_tapers(ctx):
    assert policies.can_view_taper(UserFactory(roles=(Role.ADMIN, Role.GRANTS_OFFICER)))


def test_unknown_programmes_and_schemes_are_not_found(ctx):
    commissioner = UserFactory(roles=(Role.COMMISSIONER,))
    with pytest.raises(NotFound):
        services.programme_taper(commissioner, 999)
    with pytest.raises(NotFound):
        services.scheme_taper(commissioner, 999)
    with pytest.raises(NotFound):
        services.report("NOPE")


def test_the_report_finds_a_programme_by_code_and_a_scheme_by_prefix(ctx):
    anchors()
    community_plus()
    assert services.report("anchors").name == "Community Anchors 2024–27"
    assert services.report("CPG").name == "Community Plus"
