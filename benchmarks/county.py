"""A county-scale dataset for benchmarks/scale.py: 5,000 organisations, 55,000 applications sent
in to three schemes' rounds over five financial years, the decisions, awards and funding ledger
of the decided ones, and a Community Anchors programme of 76 contracts.

Grants are bulk-inserted with SQLAlchemy Core (a benchmark measures reading, not writing one row
at a time), from a seeded random generator, so the same arguments give the same data; the 76
contracts are built through the services, as commissioners would (benchmarks/commissioning.py).
"""

import itertools
import random
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select, text

from models import (
    Allocation,
    Application,
    Award,
    CostLine,
    Decision,
    FundingPot,
    LedgerEntry,
    Locality,
    Membership,
    Organisation,
    Payment,
    ReferenceSequence,
    Round,
    Scheme,
    Theme,
    User,
    UserRole,
    Ward,
)
from models.associations import application_themes, application_wards
from models.base import db
from models.enums import (
    ApplicationStatus,
    AwardStatus,
    DecisionAuthority,
    DecisionOutcome,
    FundingSource,
    LedgerKind,
    OrganisationRole,
    RejectionReason,
    Role,
    RoundStatus,
)
from portal.funding import ledger_check
from portal.funding.payments import PaymentDetails

BATCH = 5_000
YEARS = ("2022/23", "2023/24", "2024/25", "2025/26", "2026/27")
# The last year's rounds have closed but are still being assessed; earlier ones are decided.
DECIDED_YEARS = YEARS[:-1]
# (name, reference prefix, smallest and largest amount asked for, in pounds)
SCHEMES = (("Community Grants", "CG", 1_000, 10_000), ("Small Grants", "SG", 250, 2_500),
           ("Ward Fund", "WF", 500, 5_000))
THEMES = ("Reducing social isolation", "Health and wellbeing", "Children and young people",
          "Environment and green spaces", "Arts and culture", "Food and poverty")
WARDS = ("Almondbury", "Ashbrow", "Batley East", "Batley West", "Birstall and Birkenshaw",
         "Cleckheaton", "Colne Valley", "Crosland Moor and Netherton", "Dalton", "Denby Dale",
         "Dewsbury East", "Dewsbury South", "Dewsbury West", "Golcar", "Greenhead",
         "Heckmondwike", "Holme Valley North", "Holme Valley South", "Kirkburton", "Lindley",
         "Liversedge and Gomersal", "Mirfield", "Newsome")
PLACES = (*WARDS, "Marsden", "Slaithwaite", "Honley", "Meltham", "Shepley", "Skelmanthorpe",
          "Ravensthorpe")
KINDS = ("Community", "Youth", "Senior Citizens", "Family", "Arts", "Sports", "Food",
         "Friends of the Park", "Women's", "Men's Shed", "Carers", "Allotment", "Heritage",
         "Music", "Wellbeing", "Cycling", "Gardening", "Parents", "Walking", "Refugee")
SUFFIXES = ("Group", "Trust", "Association", "Club", "Centre", "Project", "Network", "CIC",
            "Society", "Collective")
# How the applications of a decided round and of one still being assessed end up.
DECIDED_MIX = {ApplicationStatus.APPROVED: 35, ApplicationStatus.REJECTED: 45,
               ApplicationStatus.WITHDRAWN: 7, ApplicationStatus.INELIGIBLE: 8,
               ApplicationStatus.DEFERRED: 5}
OPEN_MIX = {ApplicationStatus.SUBMITTED: 35, ApplicationStatus.UNDER_ASSESSMENT: 35,
            ApplicationStatus.CLARIFICATION_REQUESTED: 10, ApplicationStatus.INELIGIBLE: 5,
            ApplicationStatus.WITHDRAWN: 5, ApplicationStatus.APPROVED: 5,
            ApplicationStatus.REJECTED: 5}
CONTRACTS = 76
# Contract instalments due by then are paid (the anchors' first year and a half).
CONTRACTS_PAID_UNTIL = date(2025, 9, 30)


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(model), rows[start:start + BATCH])


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def reset_schema() -> None:
    """An empty database at the newest migration, whatever was there before."""
    import flask_migrate

    db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    # As the README's deployment section recommends for a database on SSD: with the default
    # (4, for spinning disks) the planner scans whole tables instead of the list's indexes.
    database = db.engine.url.database
    db.session.execute(text(f'ALTER DATABASE "{database}" SET random_page_cost = 1.1'))
    db.session.commit()
    flask_migrate.upgrade()


def build(applications: int = 55_000, organisations: int = 5_000, seed: int = 15) -> None:
    """The whole dataset, in an empty migrated database; statistics refreshed at the end."""
    from benchmarks import commissioning

    rng = random.Random(seed)
    officer = User(email="grants.team@bench.example.org", full_name="Grants Team",
                   role_grants=[UserRole(role=Role.GRANTS_OFFICER)])
    db.session.add(officer)
    db.session.flush()
    organisation_ids, applicant_ids = _organisations(rng, organisations - CONTRACTS)
    places = _places()
    rounds = _rounds()
    application_rows = _applications(rng, applications, rounds, organisation_ids, applicant_ids)
    _details(rng, places, application_rows)
    _money(rng, officer.id, rounds, application_rows)
    db.session.commit()
    programme = commissioning.build(CONTRACTS, name="Community Anchors 2024-27", code="ANCHORS")
    _pay_contracts(programme)
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def _organisations(rng: random.Random, count: int) -> tuple[list[int], list[int]]:
    """Organisations with names like "Batley East Youth Club", each with one applicant."""
    names = rng.sample(list(itertools.product(PLACES, KINDS, SUFFIXES)), count)
    created = _at(date(2022, 1, 1))
    _insert(Organisation, [{"name": " ".join(parts), "created_at": created} for parts in names])
    _insert(User, [{"email": f"applicant{n}@bench.example.org", "full_name": f"Applicant {n}",
                    "password_hash": None, "email_verified_at": created, "active": True,
                    "wrong_codes": 0, "created_at": created} for n in range(count)])
    organisation_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
    applicant_ids = list(db.session.scalars(
        select(User.id).where(User.email.like("applicant%")).order_by(User.id)))
    _insert(UserRole, [{"user_id": user_id, "role": Role.APPLICANT.value}
                       for user_id in applicant_ids])
    _insert(Membership, [{"organisation_id": organisation_id, "user_id": user_id,
                          "role": OrganisationRole.ADMIN.value, "created_at": created}
                         for organisation_id, user_id in zip(organisation_ids, applicant_ids,
                                                             strict=True)])
    return organisation_ids, applicant_ids


def _places() -> list[Ward]:
    localities = [Locality(name=name) for name in ("North", "South", "East", "West")]
    wards = [Ward(name=name, locality=localities[n % 4]) for n, name in enumerate(WARDS)]
    db.session.add_all(wards)
    db.session.flush()
    return wards


def _rounds() -> list[Round]:
    """Two rounds a year of each scheme, each scheme with its themes."""
    rounds = []
    for name, prefix, smallest, largest in SCHEMES:
        scheme = Scheme(name=name, reference_prefix=prefix,
                        themes=[Theme(name=theme) for theme in THEMES])
        for year in YEARS:
            start = int(year[:4])
            for number, (opens, closes) in enumerate(
                    ((date(start, 5, 1), date(start, 6, 15)),
                     (date(start, 10, 1), date(start, 11, 15))), start=1):
                rounds.append(Round(
                    scheme=scheme, name=f"Round {number} {year}", financial_year=year,
                    opens_at=_at(opens), closes_at=_at(closes), budget_pence=2_000_000_00,
                    min_award_pence=smallest * 100, max_award_pence=largest * 100,
                    max_project_months=12,
                    status=RoundStatus.DECIDED if year in DECIDED_YEARS
                    else RoundStatus.PUBLISHED))
    db.session.add_all(rounds)
    db.session.flush()
    return rounds


def _applications(rng: random.Random, count: int, rounds: list[Round],
                  organisation_ids: list[int], applicant_ids: list[int]) -> list[dict]:
    """Applications spread over the rounds, each sent in while its round was open; returns
    their rows, ids filled in."""
    limits = {prefix: (smallest, largest) for _, prefix, smallest, largest in SCHEMES}
    numbers: dict[tuple[int, str], int] = defaultdict(int)
    rows = []
    for n in range(count):
        round_ = rng.choice(rounds)
        numbers[round_.scheme_id, round_.financial_year] += 1
        owner = rng.randrange(len(organisation_ids))
        smallest, largest = limits[round_.scheme.reference_prefix]
        submitted = round_.opens_at + (round_.closes_at - round_.opens_at) * rng.random()
        mix = DECIDED_MIX if round_.financial_year in DECIDED_YEARS else OPEN_MIX
        rows.append({
            "round_id": round_.id, "organisation_id": organisation_ids[owner],
            "created_by_id": applicant_ids[owner], "submitted_by_id": applicant_ids[owner],
            "reference": f"{round_.scheme.reference_prefix}-{round_.financial_year[2:4]}"
                         f"{round_.financial_year[5:]}-"
                         f"{numbers[round_.scheme_id, round_.financial_year]:04d}",
            "status": _pick(rng, mix).value, "sections": {},
            "title": f"{rng.choice(THEMES)} project {n}",
            "amount_requested_pence": rng.randrange(smallest, largest + 1, 10) * 100,
            "submitted_at": submitted, "created_at": submitted - timedelta(days=7),
            "updated_at": submitted})
    _insert(Application, rows)
    ids = dict(db.session.execute(select(Application.reference, Application.id)).all())
    for row in rows:
        row["id"] = ids[row["reference"]]
    _insert(ReferenceSequence, [{"scheme_id": scheme_id, "financial_year": year,
                                 "last_number": last}
                                for (scheme_id, year), last in numbers.items()])
    return rows


def _details(rng: random.Random, wards: list[Ward], rows: list[dict]) -> None:
    """Each application's wards, themes (of its scheme) and cost lines."""
    themes = defaultdict(list)
    for theme in db.session.scalars(select(Theme)):
        themes[theme.scheme_id].append(theme.id)
    scheme_of_round = dict(db.session.execute(select(Round.id, Round.scheme_id)).all())
    _insert(application_wards, [{"application_id": row["id"], "ward_id": ward.id}
                                for row in rows for ward in rng.sample(wards, rng.randint(1, 3))])
    _insert(application_themes, [
        {"application_id": row["id"], "theme_id": theme_id} for row in rows
        for theme_id in rng.sample(themes[scheme_of_round[row["round_id"]]], rng.randint(1, 2))])
    lines = []
    for row in rows:
        count = rng.randint(2, 4)
        for line in range(count):
            lines.append({"application_id": row["id"], "description": f"Cost {line + 1}",
                          "amount_pence": max(row["amount_requested_pence"] // count, 100)})
    _insert(CostLine, lines)


def _money(rng: random.Random, officer_id: int, rounds: list[Round], rows: list[dict]) -> None:
    """Decisions on the decided applications; awards for most approved ones, paid from a core
    and an external pot of their scheme's year; and the ledger: each pot's budget, each award's
    commitments, its payments and, for some closed awards, the unspent money released."""
    round_of = {round_.id: round_ for round_ in rounds}
    decided = [row for row in rows if row["status"] in {ApplicationStatus.APPROVED.value,
                                                        ApplicationStatus.REJECTED.value,
                                                        ApplicationStatus.DEFERRED.value}]
    decision_rows = []
    for row in decided:
        outcome = DecisionOutcome(row["status"])
        amount = (row["amount_requested_pence"] * rng.choice((100, 100, 90, 80)) // 100_00 * 100
                  if outcome is DecisionOutcome.APPROVED else None)
        row["decided_on"] = (round_of[row["round_id"]].closes_at + timedelta(days=42)).date()
        decision_rows.append({
            "application_id": row["id"], "outcome": outcome.value, "amount_pence": amount,
            "rejection_reason": (RejectionReason.BELOW_PASS_MARK.value
                                 if outcome is DecisionOutcome.REJECTED else None),
            "authority": (DecisionAuthority.DELEGATED_OFFICER if (amount or 0) <= 5_000_00
                          else DecisionAuthority.PANEL).value,
            "decided_on": row["decided_on"], "recorded_by_id": officer_id,
            "recorded_at": _at(row["decided_on"])})
    _insert(Decision, decision_rows)
    decisions = {application_id: (decision_id, amount) for decision_id, application_id, amount
                 in db.session.execute(select(Decision.id, Decision.application_id,
                                              Decision.amount_pence))}
    awarded = [row for row in decided if row["status"] == ApplicationStatus.APPROVED.value
               and rng.random() < 0.85]
    pots = _pots(rounds)
    award_rows = []
    for row in awarded:
        decision_id, amount = decisions[row["id"]]
        offered = _at(row["decided_on"] + timedelta(days=3))
        status = _pick(rng, {AwardStatus.ACCEPTED: 75, AwardStatus.CLOSED: 20,
                             AwardStatus.OFFERED: 5})
        answered = offered + timedelta(days=10) if status is not AwardStatus.OFFERED else None
        award_rows.append({
            "application_id": row["id"], "decision_id": decision_id,
            "reference": row["reference"], "amount_pence": amount, "status": status.value,
            "offered_at": offered, "offered_by_id": officer_id,
            "accept_by": (offered + timedelta(days=28)).date(), "answered_at": answered,
            "answered_by_id": row["created_by_id"] if answered else None,
            "start_date": row["decided_on"] + timedelta(days=30),
            "end_date": row["decided_on"] + timedelta(days=395)})
    _insert(Award, award_rows)
    award_ids = dict(db.session.execute(select(Award.reference, Award.id)).all())
    _ledger(rng, officer_id, round_of, pots, awarded, award_rows, award_ids)


def _pots(rounds: list[Round]) -> dict[tuple[int, str, FundingSource], int]:
    """A core and an external pot for each scheme's year, by (scheme id, year, source)."""
    pots = {}
    for scheme in {round_.scheme for round_ in rounds}:
        for year in YEARS:
            for source in FundingSource:
                pot = FundingPot(name=f"{scheme.name} {source.value}", financial_year=year,
                                 source=source, funder_name="Bench Council",
                                 funder_org_id="GB-EXAMPLE-BENCH", schemes=[scheme])
                db.session.add(pot)
                db.session.flush()
                pots[scheme.id, year, source] = pot.id
    return pots


def _ledger(rng: random.Random, officer_id: int, round_of: dict[int, Round], pots: dict,
            awarded: list[dict], award_rows: list[dict], award_ids: dict[str, int]) -> None:
    allocations, entries, payments = [], [], []
    committed: dict[int, int] = defaultdict(int)
    for row, award in zip(awarded, award_rows, strict=True):
        round_ = round_of[row["round_id"]]
        award_id, amount = award_ids[award["reference"]], award["amount_pence"]
        shares = _shares(rng, amount, round_, pots)
        batch = uuid.uuid4()
        for pot_id, share in shares:
            committed[pot_id] += share
            allocations.append({"award_id": award_id, "pot_id": pot_id, "amount_pence": share})
            entries.append(_entry(pot_id, LedgerKind.COMMITMENT, share,
                                  f"Award {award['reference']}", officer_id,
                                  award["offered_at"], batch, award_id))
        if award["status"] == AwardStatus.OFFERED.value:
            continue
        closed = award["status"] == AwardStatus.CLOSED.value
        # A closed award was paid in full, or in part with the rest released; an open one
        # in full, half or not yet.
        paid_share = ((100 if rng.random() < 0.75 else rng.randint(80, 95)) if closed
                      else rng.choice((100, 100, 50, 0)))
        if paid_share:
            paid_on = award["start_date"] + timedelta(days=14)
            payment_batch = uuid.uuid4()
            paid = 0
            for pot_id, share in shares:
                part = share * paid_share // 100
                paid += part
                if part:
                    entries.append(_entry(pot_id, LedgerKind.PAYMENT, part,
                                          f"Payment of {award['reference']}", officer_id,
                                          _at(paid_on), payment_batch, award_id))
                if closed and share > part:
                    entries.append(_entry(pot_id, LedgerKind.RELEASE, share - part,
                                          f"Award {award['reference']} closed: unspent",
                                          officer_id, _at(award["end_date"]), uuid.uuid4(),
                                          award_id))
            payments.append({"award_id": award_id, "paid_on": paid_on, "amount_pence": paid,
                             "reference": f"PAY-{award['reference']}", "recorded_by_id": officer_id,
                             "recorded_at": _at(paid_on), "batch": payment_batch})
    budgets = [_entry(pot_id, LedgerKind.BUDGET, (committed[pot_id] * 5 // 4) // 100_000 * 100_000
                      + 100_000, "Budget for the year", officer_id,
                      _at(date(int(year[:4]), 4, 1)), uuid.uuid4(), None)
               for (_, year, _), pot_id in pots.items()]
    _insert(Allocation, allocations)
    _insert(LedgerEntry, budgets + entries)
    # Entries inserted around ledger.post: the pots' stored figures are set from them here.
    ledger_check.store_sums()
    _insert(Payment, payments)


def _shares(rng: random.Random, amount: int, round_: Round, pots: dict) -> list[tuple[int, int]]:
    """Which pots pay an award: most from one, some split between core and external."""
    core = pots[round_.scheme_id, round_.financial_year, FundingSource.CORE]
    external = pots[round_.scheme_id, round_.financial_year, FundingSource.EXTERNAL]
    choice = rng.random()
    if choice < 0.55:
        return [(core, amount)]
    if choice < 0.85 or amount < 200:
        return [(external, amount)]
    half = amount // 2
    return [(external, half), (core, amount - half)]


def _entry(pot_id: int, kind: LedgerKind, amount: int, reason: str, actor_id: int,
           at: datetime, batch: uuid.UUID, award_id: int | None) -> dict:
    return {"pot_id": pot_id, "kind": kind.value, "amount_pence": amount, "reason": reason,
            "actor_id": actor_id, "created_at": at, "batch": batch, "award_id": award_id,
            "contract_id": None}


def _pay_contracts(programme) -> None:
    """Every contract instalment due by CONTRACTS_PAID_UNTIL, on its due date, through the
    service."""
    from portal.contracts import payments

    commissioner = db.session.scalar(select(User).where(
        User.email == "commissioner@bench.example.org"))
    for contract in programme.contracts:
        for year in contract.years:
            for instalment in year.instalments:
                if instalment.due_on > CONTRACTS_PAID_UNTIL:
                    continue
                payments.record_payment(commissioner, contract.id, PaymentDetails(
                    instalment_id=instalment.id, paid_on=instalment.due_on,
                    amount_pence=instalment.amount_pence,
                    reference=f"{contract.reference}-{year.financial_year}-Q{instalment.quarter}"),
                    _at(instalment.due_on))
