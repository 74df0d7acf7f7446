"""The council's wards found by the names a file gives them, for the commands that set
something of each ward from a lookup (their ONS codes, their populations)."""

from collections.abc import Iterable

from sqlalchemy import select

from models import Ward
from portal.extensions import db


def by_name(names: Iterable[str]) -> tuple[dict[str, Ward], list[str]]:
    """The wards the names are of (a name as given -> its ward), matched in any case and
    ignoring spaces either side, and the names that are none of the council's wards, sorted:
    one query."""
    wards = {ward.name.casefold(): ward for ward in db.session.scalars(select(Ward))}
    found, unknown = {}, []
    for name in names:
        ward = wards.get(name.strip().casefold())
        if ward is None:
            unknown.append(name)
        else:
            found[name] = ward
    return found, sorted(unknown)
