"""What a commissioner types about a programme or a contract, as the services take it."""

from dataclasses import dataclass
from datetime import date

from models.enums import ContractLot


@dataclass(frozen=True)
class Target:
    """The council's core budget target for one financial year, as typed: the label is
    checked by the service."""

    financial_year: str
    core_target_pence: int


@dataclass(frozen=True)
class ProgrammeDetails:
    code: str
    name: str
    description: str
    targets: list[Target]


@dataclass(frozen=True)
class ContractDetails:
    reference: str
    title: str
    provider_id: int
    lot: ContractLot
    locality_id: int | None
    ward_ids: list[int]
    starts_on: date
    ends_on: date
    # Quarterly instalments fall due at the start of each quarter, or at its end (in arrears).
    pays_in_advance: bool = True
