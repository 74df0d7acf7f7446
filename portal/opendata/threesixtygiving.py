"""A financial year's grants in the 360Giving Data Standard (1.4): built from the awards, their
pots and the ledger; validated against the standard's own schema with format checking; and
flattened to the standard's spreadsheets (CSV and XLSX) by flattentool, 360Giving's tool.

Amounts are JSON numbers in pounds, as the standard requires. They are computed from integer
pence: `pence / 100` is the double nearest the exact amount, and JSON writes the shortest
text that reads back as that double, which for any amount under £10^13 is the exact pounds
and pence (tests/opendata/test_threesixtygiving.py proves it for every such amount).
"""

import hashlib
import io
import json
import re
import tempfile
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import flattentool
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy.orm import joinedload, selectinload

from models import Allocation, Application, Award, Organisation, Round, Ward
from models.enums import FundingSource
from portal import exports
from portal.dates import to_london
from portal.extensions import db
from portal.funding import ledger
from portal.funding.attribution import Contribution
from portal.opendata.grants import public_awards

SCHEMA_FOLDER = Path(__file__).with_name("schema")
PACKAGE_SCHEMA = "360-giving-package-schema.json"
GRANT_SCHEMA = "360-giving-schema.json"
VERSION = "1.4"
GBP = "GBP"
WARD = "WD"  # the geoCodeType codelist's code for an electoral ward


@dataclass(frozen=True)
class Publisher:
    """Who publishes, from the configuration: the council, its org-id and grant-id prefix."""

    name: str
    org_id: str
    prefix: str

    @property
    def problems(self) -> list[str]:
        missing = [setting for setting, value in
                   (("COUNCIL_ORG_ID", self.org_id), ("GRANT_ID_PREFIX", self.prefix)) if not value]
        return [f"{setting} is not set: ask your administrator to set it" for setting in missing]


# Identifiers ---------------------------------------------------------------------------------


def organisation_id(organisation: Organisation, prefix: str) -> str:
    """The org-id of a recipient: its charity number (the registers of England and Wales,
    Scotland or Northern Ireland), else its company number, else one of the council's own."""
    charity = organisation.charity_number
    if charity and charity.startswith("SC"):
        return f"GB-SC-{charity}"
    if charity and charity.startswith("NIC"):
        return f"GB-NIC-{charity.removeprefix('NIC')}"
    if charity:
        # A linked charity ("1234567-1") is identified by its main charity's number.
        return f"GB-CHC-{charity.split('-')[0]}"
    if organisation.company_number:
        return f"GB-COH-{organisation.company_number}"
    return f"{prefix}-ORG-{organisation.id}"


def grant_id(award: Award, prefix: str) -> str:
    return f"{prefix}-{award.reference}"


# Building ------------------------------------------------------------------------------------


def year_awards(year: str) -> list[Award]:
    """The year's publishable awards, with everything the file needs, in reference order."""
    query = (public_awards().where(Round.financial_year == year).order_by(Award.reference)
             .options(joinedload(Award.decision),
                      joinedload(Award.application).options(
                          joinedload(Application.organisation),
                          joinedload(Application.round).joinedload(Round.scheme),
                          selectinload(Application.wards), selectinload(Application.themes)),
                      selectinload(Award.allocations).joinedload(Allocation.pot)))
    return list(db.session.scalars(query).unique())


def pounds(pence: int) -> int | float:
    """A JSON number of pounds (see the module's docstring): whole pounds as an integer."""
    return pence // 100 if pence % 100 == 0 else pence / 100


def grant(award: Award, spend: ledger.Spend, publisher: Publisher,
          pooled: Mapping[int, list[Contribution]]) -> dict[str, Any]:
    """One grant in the standard, its amounts from `spend`, the award's ledger figures;
    `pooled` gives the partners of the pooled pots paying for it (attribution.contributions)."""
    application = award.application
    record: dict[str, Any] = {
        "id": grant_id(award, publisher.prefix),
        "title": application.title or award.reference,
        "description": application.summary or application.title or award.reference,
        "currency": GBP,
        "amountAwarded": pounds(spend.committed_pence),
        "amountDisbursed": pounds(spend.paid_pence),
        "awardDate": award.decision.decided_on.isoformat(),
        "recipientOrganization": [_recipient(application.organisation, publisher.prefix)],
        "fundingOrganization": _funders(award, publisher, pooled),
        "grantProgramme": [{"code": application.round.scheme.reference_prefix,
                            "title": application.round.scheme.name}],
        "fromOpenCall": "Yes",
    }
    if application.amount_requested_pence is not None:
        record["amountAppliedFor"] = pounds(application.amount_requested_pence)
    if award.start_date and award.end_date:
        record["plannedDates"] = [{"startDate": award.start_date.isoformat(),
                                   "endDate": award.end_date.isoformat()}]
    if application.themes:
        record["classifications"] = [
            {"vocabulary": f"{publisher.prefix}-themes", "code": _slug(theme.name),
             "title": theme.name} for theme in application.themes]
    if application.wards:
        record["beneficiaryLocation"] = [_ward(ward) for ward in application.wards]
    return record


def _slug(name: str) -> str:
    """'Reducing social isolation' -> 'reducing-social-isolation': a theme's code."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _recipient(organisation: Organisation, prefix: str) -> dict[str, Any]:
    """The organisation by its name and registered numbers; its town, but never its address
    or contacts, since a small group's address is often a volunteer's home."""
    recipient = {"id": organisation_id(organisation, prefix), "name": organisation.name}
    optional = {"charityNumber": organisation.charity_number,
                "companyNumber": organisation.company_number,
                "addressLocality": organisation.town}
    recipient.update({key: value for key, value in optional.items() if value})
    return recipient


def _funders(award: Award, publisher: Publisher,
             pooled: Mapping[int, list[Contribution]]) -> list[dict[str, str]]:
    """The council, then each external partner whose pot paid for the grant (every partner
    contributing to a pooled one), once each."""
    funders = {publisher.org_id: publisher.name}
    for allocation in award.allocations:
        pot = allocation.pot
        if pot.pooled:
            for given in pooled.get(pot.id, []):
                funders.setdefault(given.partner.org_id, given.partner.name)
        elif pot.source is FundingSource.EXTERNAL:
            funders.setdefault(pot.funder_org_id, pot.funder_name)
    return [{"id": org_id, "name": name} for org_id, name in funders.items()]


def _ward(ward: Ward) -> dict[str, str]:
    location = {"name": ward.name}
    if ward.ons_code:
        location.update(geoCode=ward.ons_code, geoCodeType=WARD)
    return location


def funder_problems(awards: Iterable[Award]) -> list[str]:
    """External pots paying for these grants whose funder has no org-id to publish."""
    nameless = sorted({allocation.pot.name + f" ({allocation.pot.financial_year})"
                       for award in awards for allocation in award.allocations
                       if allocation.pot.source is FundingSource.EXTERNAL
                       and not allocation.pot.pooled and not allocation.pot.funder_org_id})
    return [f"The pot {name} has no funder org-id: add it to the pot" for name in nameless]


def package(grants: list[dict], publisher: Publisher, title: str, license_url: str,
            issued: datetime) -> dict[str, Any]:
    """The publishable file: the grants with the package's metadata."""
    return {
        "version": VERSION,
        "title": title,
        "issued": to_london(issued).isoformat(timespec="seconds"),
        "publisher": {"name": publisher.name, "identifier": publisher.org_id},
        "license": license_url,
        "grants": grants,
    }


def digest(grants: list[dict]) -> str:
    """A fingerprint of the grants (not the package's dates), to tell whether what an officer
    reviewed is still what would be published."""
    canonical = json.dumps(grants, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def to_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


# Validating ----------------------------------------------------------------------------------


@cache
def _validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    """Validators of the package schema, its grants' $ref (a URL) answered from the copy here,
    and of the grant schema alone; both check formats, without which a valid date fails the
    schema's oneOf."""
    package_schema = json.loads((SCHEMA_FOLDER / PACKAGE_SCHEMA).read_text())
    grant_schema = json.loads((SCHEMA_FOLDER / GRANT_SCHEMA).read_text())
    grant_url = package_schema["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resource(
        grant_url, Resource(contents=grant_schema, specification=DRAFT202012))
    return (Draft202012Validator(package_schema, registry=registry,
                                 format_checker=FormatChecker()),
            Draft202012Validator(grant_schema, format_checker=FormatChecker()))


def schema_errors(data: dict[str, Any]) -> list[str]:
    """Every way `data` breaks the 360Giving package schema, each as where and what; [] when
    valid. The package is checked with its first grant, and the other grants one by one
    against the grant schema, with the package's rule that no two grants are the same checked
    here by their canonical JSON: jsonschema compares every pair of grants for that rule,
    which takes seconds for a county's year."""
    package, grant = _validators()
    grants = data.get("grants")
    if not isinstance(grants, list) or len(grants) < 2:
        return _messages(package.iter_errors(data))
    errors = _messages(package.iter_errors(dict(data, grants=grants[:1])))
    for index, each in enumerate(grants[1:], start=1):
        errors += _messages(grant.iter_errors(each), within=["grants", index])
    canonical = {json.dumps(each, sort_keys=True) for each in grants}
    if len(canonical) < len(grants):
        errors.append("grants: some grants appear more than once")
    return errors


def _messages(errors: Iterable[ValidationError], within: list | None = None) -> list[str]:
    """Each error as "where: what", where is its path from the package ("package" itself). A
    grant fails the schema's oneOf (an organisation or an individual as recipient) as a whole:
    its closest branch's error says what is wrong, not the whole grant."""
    paths = [([*(within or []), *error.path],
               best_match(error.context).message if error.context else error.message)
             for error in errors]
    return [f"{'/'.join(str(part) for part in path) or 'package'}: {message}"
            for path, message in sorted(paths, key=lambda found: [str(p) for p in found[0]])]


# Spreadsheets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spreadsheets:
    """The standard's spreadsheet: its main sheet as a CSV, every sheet as CSVs in a ZIP
    (grants with several funders, wards or themes list them on their own sheets), and the
    whole as a workbook."""

    csv: bytes
    csv_zip: bytes
    xlsx: bytes


def spreadsheets(data: dict[str, Any]) -> Spreadsheets:
    """Flatten the file with flattentool, using the standard's titles ("Amount Awarded") and
    its roll-ups, so each grant's one recipient, funder or ward also sits on the main sheet.
    Text a spreadsheet would run as a formula is defused first; the JSON is left as it is."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "grants.json"
        source.write_bytes(to_json({"grants": _defused(data["grants"])}))
        output = Path(folder) / "grants"
        with warnings.catch_warnings():
            # flattentool warns of every schema field without a title that it skips.
            warnings.simplefilter("ignore")
            # A run for each format wanted: its "all" also writes OpenDocument, which takes
            # four times as long as the other two together.
            for output_format, name in (("csv", output), ("xlsx", output.with_suffix(".xlsx"))):
                flattentool.flatten(
                    str(source), schema=str(SCHEMA_FOLDER / GRANT_SCHEMA), output_name=str(name),
                    output_format=output_format, main_sheet_name="grants",
                    root_list_path="grants", root_id="", use_titles=True, rollup=True,
                    remove_empty_schema_columns=True)
        return Spreadsheets(csv=(output / "grants.csv").read_bytes(),
                            csv_zip=_zipped(sorted(output.glob("*.csv"))),
                            xlsx=output.with_suffix(".xlsx").read_bytes())


def _defused(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _defused(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_defused(item) for item in value]
    return exports.defused(value)


def _zipped(paths: list[Path]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, path.name)
    return out.getvalue()

