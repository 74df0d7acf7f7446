"""Community Anchor programmes and their contracts: a commissioner sets up a programme with the
council's core budget target for each financial year, and drafts the contracts in it. Only
commissioners (policies.can_commission) reach anything here; every change is audited."""

import re
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from models import Contract, Locality, Organisation, Programme, ProgrammeYear, User, Ward
from models.enums import ContractStatus
from portal import audit, policies
from portal.contracts import years
from portal.contracts.details import ContractDetails, ProgrammeDetails, Target
from portal.exceptions import NotFound, RuleBroken
from portal.extensions import db
from portal.financial_years import FinancialYear, labels_spanning

PER_PAGE = 25
PROGRAMME_CODE = re.compile(r"[A-Z0-9]{2,20}\Z")
BAD_CODE = "Enter the code in upper-case letters and digits only, like ANCHORS"
DUPLICATE_CODE = "There is already a programme with the code {code}: choose another code"
DUPLICATE_REFERENCE = "There is already a contract with the reference {reference}"
BAD_YEAR = "Enter the financial year like 2024/25"
DUPLICATE_YEAR = "There is already a target for {year}: give each year once"
NEGATIVE_TARGET = "The core budget target for {year} must be £0 or more"
END_BEFORE_START = "The end date must be after the start date"
NOT_DRAFT = "Only a draft contract can be changed here; this one is {status}"


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    contract_count: int


def programmes(user: User) -> list[ProgrammeRow]:
    """Every programme by name, with how many contracts it has: one query."""
    policies.require(policies.can_commission(user))
    count = (select(func.count(Contract.id)).where(Contract.programme_id == Programme.id)
             .correlate(Programme).scalar_subquery())
    query = select(Programme, count).order_by(Programme.name, Programme.id)
    return [ProgrammeRow(programme, contracts)
            for programme, contracts in db.session.execute(query)]


def get_programme(user: User, programme_id: int) -> Programme:
    """A programme with its yearly targets; NotFound when there is none."""
    policies.require(policies.can_commission(user))
    programme = db.session.scalar(select(Programme).where(Programme.id == programme_id)
                                  .options(selectinload(Programme.years)))
    if programme is None:
        raise NotFound(programme_id)
    return programme


def _check_targets(targets: list[Target]) -> list[ProgrammeYear]:
    """The targets as rows, newest last; RuleBroken names the row ("targets-<index>-...")."""
    rows: dict[FinancialYear, ProgrammeYear] = {}
    for index, target in enumerate(targets):
        try:
            year = FinancialYear.parse(target.financial_year)
        except ValueError as error:
            raise RuleBroken(BAD_YEAR, field=f"targets-{index}-financial_year") from error
        if year in rows:
            raise RuleBroken(DUPLICATE_YEAR.format(year=year.label),
                             field=f"targets-{index}-financial_year")
        if target.core_target_pence < 0:
            raise RuleBroken(NEGATIVE_TARGET.format(year=year.label),
                             field=f"targets-{index}-core_target")
        rows[year] = ProgrammeYear(financial_year=year.label,
                                   core_target_pence=target.core_target_pence)
    return [rows[year] for year in sorted(rows)]


def _check_code(code: str, programme_id: int | None) -> None:
    if not PROGRAMME_CODE.match(code):
        raise RuleBroken(BAD_CODE, field="code")
    taken = select(Programme.id).where(Programme.code == code, Programme.id != programme_id)
    if db.session.scalar(taken) is not None:
        raise RuleBroken(DUPLICATE_CODE.format(code=code), field="code")


def _programme_snapshot(programme: Programme) -> dict:
    return {"code": programme.code, "name": programme.name,
            "description": programme.description,
            "targets": {year.financial_year: year.core_target_pence
                        for year in programme.years}}


def _save(duplicate: RuleBroken) -> None:
    """Flush; someone else saving the same code or reference at the same moment breaks the
    unique constraint, which is told like any duplicate."""
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise duplicate from error


def create_programme(user: User, details: ProgrammeDetails) -> Programme:
    policies.require(policies.can_commission(user))
    _check_code(details.code, None)
    programme = Programme(code=details.code, name=details.name,
                          description=details.description,
                          years=_check_targets(details.targets))
    db.session.add(programme)
    _save(RuleBroken(DUPLICATE_CODE.format(code=details.code), field="code"))
    audit.record("programme.created", actor=user, subject=programme,
                 details=_programme_snapshot(programme))
    db.session.commit()
    return programme


def update_programme(user: User, programme: Programme, details: ProgrammeDetails) -> None:
    """Change a programme's details and replace its yearly targets; the audit event keeps
    the before and after."""
    policies.require(policies.can_commission(user))
    _check_code(details.code, programme.id)
    years = _check_targets(details.targets)
    before = _programme_snapshot(programme)
    programme.code, programme.name = details.code, details.name
    programme.description = details.description
    # The rows of the years kept are updated in place: deleting and re-adding them in one
    # flush would break the (programme, year) unique constraint.
    existing = {year.financial_year: year for year in programme.years}
    for year in years:
        if year.financial_year in existing:
            existing[year.financial_year].core_target_pence = year.core_target_pence
    programme.years = [existing.get(year.financial_year, year) for year in years]
    _save(RuleBroken(DUPLICATE_CODE.format(code=details.code), field="code"))
    after = _programme_snapshot(programme)
    if after != before:
        audit.record("programme.changed", actor=user, subject=programme,
                     details={"before": before, "after": after})
    db.session.commit()


def contracts_page(user: User, programme: Programme, page: int = 1) -> Pagination:
    """The programme's contracts by reference, 25 a page, with their providers and
    localities: the same queries however many there are."""
    policies.require(policies.can_commission(user))
    query = (select(Contract).where(Contract.programme_id == programme.id)
             .options(joinedload(Contract.provider), joinedload(Contract.locality))
             .order_by(Contract.reference, Contract.id))
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)


@dataclass(frozen=True)
class ContractChoices:
    organisations: list[Organisation]
    localities: list[Locality]
    wards: list[Ward]


def contract_choices(user: User) -> ContractChoices:
    """The providers, localities and wards a contract can name, each by name."""
    policies.require(policies.can_commission(user))
    return ContractChoices(
        list(db.session.scalars(select(Organisation).order_by(Organisation.name,
                                                              Organisation.id))),
        list(db.session.scalars(select(Locality).order_by(Locality.name))),
        list(db.session.scalars(select(Ward).order_by(Ward.name))))


def _one(model, item_id: int | None, field: str, message: str):
    found = db.session.get(model, item_id) if item_id is not None else None
    if found is None:
        raise RuleBroken(message, field=field)
    return found


def _apply(contract: Contract, details: ContractDetails) -> None:
    """Check the details and set them on the contract; RuleBroken before anything is set."""
    if details.ends_on <= details.starts_on:
        raise RuleBroken(END_BEFORE_START, field="ends_on")
    taken = select(Contract.id).where(Contract.reference == details.reference,
                                      Contract.id != contract.id)
    if db.session.scalar(taken) is not None:
        raise RuleBroken(DUPLICATE_REFERENCE.format(reference=details.reference),
                         field="reference")
    provider = _one(Organisation, details.provider_id, "provider", "Select the provider")
    locality = (None if details.locality_id is None else
                _one(Locality, details.locality_id, "locality", "Select a locality"))
    wards = list(db.session.scalars(select(Ward).where(Ward.id.in_(details.ward_ids))
                                    .order_by(Ward.name)))
    if len(wards) != len(set(details.ward_ids)):
        raise RuleBroken("Select wards from the list", field="wards")
    contract.reference, contract.title = details.reference, details.title
    contract.provider, contract.lot, contract.locality = provider, details.lot, locality
    contract.wards = wards
    _check_planned_years_kept(contract, details)
    contract.starts_on, contract.ends_on = details.starts_on, details.ends_on
    contract.pays_in_advance = details.pays_in_advance


def _check_planned_years_kept(contract: Contract, details: ContractDetails) -> None:
    """New dates may not leave out a year whose money is planned: that money is committed in
    its pots, and is released by planning the year to £0 first."""
    kept = labels_spanning(details.starts_on, details.ends_on)
    dropped = [year.financial_year for year in contract.years
               if year.total_pence and year.financial_year not in kept]
    if dropped:
        field = "starts_on" if dropped[0] < kept[0] else "ends_on"
        raise RuleBroken(f"Money is planned for {', '.join(dropped)}: plan it to £0 before "
                         "changing the dates to leave it out", field=field)


def _contract_snapshot(contract: Contract) -> dict:
    return {"reference": contract.reference, "title": contract.title,
            "provider_id": contract.provider_id, "lot": contract.lot.value,
            "locality_id": contract.locality_id,
            "ward_ids": sorted(ward.id for ward in contract.wards),
            "starts_on": contract.starts_on.isoformat(),
            "ends_on": contract.ends_on.isoformat(),
            "pays_in_advance": contract.pays_in_advance}


def create_contract(user: User, programme: Programme, details: ContractDetails) -> Contract:
    """A draft contract in the programme; its money is planned later."""
    policies.require(policies.can_commission(user))
    contract = Contract(status=ContractStatus.DRAFT, created_by=user)
    _apply(contract, details)
    # Joined to the programme only once checked: that puts it in the session.
    contract.programme = programme
    db.session.add(contract)
    _save(RuleBroken(DUPLICATE_REFERENCE.format(reference=details.reference),
                     field="reference"))
    audit.record("contract.created", actor=user, subject=contract,
                 details={"programme_id": programme.id, **_contract_snapshot(contract)})
    db.session.commit()
    return contract


def get_contract(user: User, contract_id: int) -> Contract:
    """A contract with its programme, provider, locality and wards; NotFound when there is
    none."""
    policies.require(policies.can_commission(user))
    contract = db.session.scalar(
        select(Contract).where(Contract.id == contract_id)
        .options(joinedload(Contract.programme), joinedload(Contract.provider),
                 joinedload(Contract.locality), selectinload(Contract.wards)))
    if contract is None:
        raise NotFound(contract_id)
    return contract


def is_changeable(contract: Contract) -> bool:
    """Only a draft's details change here: once active its terms change only by variation."""
    return contract.status is ContractStatus.DRAFT


def not_changeable_message(contract: Contract) -> str:
    return NOT_DRAFT.format(status=contract.status.label.lower())


def _reschedule(contract: Contract) -> None:
    """Move the planned years' instalments to the start or the end of their quarters."""
    paid = years.paid_by_instalment(contract.id)
    for year in contract.years:
        years.schedule(contract, year, paid)


def update_contract(user: User, contract: Contract, details: ContractDetails) -> None:
    policies.require(policies.can_commission(user))
    if not is_changeable(contract):
        raise RuleBroken(not_changeable_message(contract))
    before = _contract_snapshot(contract)
    _apply(contract, details)
    _save(RuleBroken(DUPLICATE_REFERENCE.format(reference=details.reference),
                     field="reference"))
    after = _contract_snapshot(contract)
    if any(after[key] != before[key] for key in ("pays_in_advance", "starts_on", "ends_on")):
        _reschedule(contract)
    if after != before:
        audit.record("contract.changed", actor=user, subject=contract,
                     details={"before": before, "after": after})
    db.session.commit()
