"""A year of grants and contracts for funding by place: awards offered through the awards
service for some wards, none or two; contracts for wards, a whole locality or nowhere; money
of another year and money released; wards with and without populations."""

from dataclasses import dataclass

from models import FundingPot, Locality, Programme, Scheme, User, Ward
from models.base import db, utcnow
from models.enums import FundingSource, LedgerKind, Role
from portal.awards import services as awards
from tests.awards.conftest import pot
from tests.factories import ContractFactory, ProgrammeFactory, RoundFactory, UserFactory
from tests.funding.spending import offer
from tests.reporting.tapers import commit_year, move, plan


@dataclass
class Places:
    officer: User  # a grants officer and commissioner
    scheme: Scheme
    programme: Programme
    core: FundingPot  # 2024/25
    external: FundingPot  # 2024/25
    wards: dict[str, Ward]


def locality(name: str, populations: dict[str, int | None]) -> dict[str, Ward]:
    made = Locality(name=name)
    wards = {ward: Ward(name=ward, locality=made, population=people)
             for ward, people in populations.items()}
    db.session.add(made)
    db.session.commit()
    return wards


def places() -> Places:
    officer = UserFactory(roles=(Role.GRANTS_OFFICER, Role.COMMISSIONER),
                          full_name="Cara Commissioner")
    wards = {**locality("Batley and Spen", {"Batley East": 19_000, "Batley West": 20_000}),
             **locality("Huddersfield", {"Dalton": 10_000, "Newsome": None}),
             **locality("Kirklees Rural", {"Denby Dale": 18_000})}
    rural = db.session.get(Locality, wards["Denby Dale"].locality_id)
    huddersfield = db.session.get(Locality, wards["Dalton"].locality_id)
    core = pot(50_000_00, FundingSource.CORE, name="Core 24")
    external = pot(50_000_00, name="NHS partnership 24")
    old = pot(10_000_00, FundingSource.CORE, name="Core 23", financial_year="2023/24")
    this_year = RoundFactory(closed=True)
    offer(this_year, {core: 600_00, external: 400_01},
          wards=[wards["Batley East"], wards["Batley West"]])
    offer(this_year, {external: 300_00}, wards=[wards["Dalton"]])
    offer(this_year, {core: 200_00})
    withdrawn = offer(this_year, {core: 500_00}, wards=[wards["Dalton"]])
    awards.withdraw(officer, withdrawn.id, "The project has stopped", utcnow())
    offer(RoundFactory(closed=True, scheme=this_year.scheme, financial_year="2023/24"),
          {old: 700_00}, wards=[wards["Dalton"]])

    programme = ProgrammeFactory(code="ANCHORS", name="Community Anchors")
    pots = {FundingSource.CORE: core, FundingSource.EXTERNAL: external}
    lead = ContractFactory(programme=programme, locality=huddersfield,
                           wards=[wards["Dalton"], wards["Newsome"]])
    commit_year(officer, plan(lead, "2024/25", 4_000_00, 6_000_00, pots))
    move(officer, lead, LedgerKind.RELEASE, {external: 1_000_00})
    commit_year(officer, plan(ContractFactory(programme=programme, locality=rural),
                              "2024/25", 6_000_00, 0, pots))
    commit_year(officer, plan(ContractFactory(programme=programme), "2024/25", 0, 1_000_00,
                              pots))
    plan(ContractFactory(programme=programme, wards=[wards["Denby Dale"]]), "2024/25",
         2_000_00, 0, pots)
    return Places(officer, this_year.scheme, programme, core, external, wards)


# funding_by_place for 2024/25: (place, grants, contracts, total, population, per head), in
# pounds as the page shows them.
TABLE = [
    ("Batley and Spen",),
    ("Batley East", "£500.01", "£0.00", "£500.01", "19,000", "£0.03"),
    ("Batley West", "£500.00", "£0.00", "£500.00", "20,000", "£0.03"),
    ("Batley and Spen total", "£1,000.01", "£0.00", "£1,000.01", "39,000", "£0.03"),
    ("Huddersfield",),
    ("Dalton", "£300.00", "£4,500.00", "£4,800.00", "10,000", "£0.48"),
    ("Newsome", "£0.00", "£4,500.00", "£4,500.00", "", ""),
    ("Huddersfield total", "£300.00", "£9,000.00", "£9,300.00", "", ""),
    ("Kirklees Rural",),
    ("Denby Dale", "£0.00", "£0.00", "£0.00", "18,000", "£0.00"),
    ("Kirklees Rural: across the locality", "£0.00", "£6,000.00", "£6,000.00", "", ""),
    ("Kirklees Rural total", "£0.00", "£6,000.00", "£6,000.00", "18,000", "£0.33"),
    ("Unassigned", "£200.00", "£1,000.00", "£1,200.00", "", ""),
    ("Total", "£1,500.01", "£16,000.00", "£17,500.01", "", ""),
]
