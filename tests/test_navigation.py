"""The service navigation shows each role its own sections."""

import pytest

from models.enums import Role
from tests.conftest import sign_in_as
from tests.factories import FundingPartnerFactory, UserFactory
from tests.html import soup


@pytest.mark.parametrize(("roles", "sections"), [
    ((Role.APPLICANT,), ["Home", "Your applications", "Your organisations", "Your contracts",
                         "Your account"]),
    ((Role.GRANTS_OFFICER,),
     ["Home", "Applications", "Schemes and rounds", "Grant returns", "Publish open data",
      "Funding", "Your account"]),
    ((Role.ADMIN,), ["Home", "Funding", "Users", "Audit log", "Your account"]),
    ((Role.ASSESSOR,), ["Home", "Your assessments", "Your account"]),
    ((Role.COMMISSIONER,), ["Home", "Funding", "Contracts", "Your account"]),
    ((Role.FUNDING_PARTNER,), ["Home", "Your funding", "Your account"]),
    ((Role.GRANTS_OFFICER, Role.ADMIN),
     ["Home", "Applications", "Schemes and rounds", "Grant returns", "Publish open data",
      "Funding", "Users", "Audit log", "Your account"]),
])
def test_each_role_sees_its_sections(client, roles, sections):
    partner = FundingPartnerFactory() if Role.FUNDING_PARTNER in roles else None
    sign_in_as(client, UserFactory(roles=roles, partner=partner))
    links = soup(client.get("/", follow_redirects=True)).select(
        ".govuk-service-navigation__list a")
    assert [link.get_text(strip=True) for link in links] == sections


def test_the_current_section_is_marked(client):
    sign_in_as(client, UserFactory(roles=(Role.GRANTS_OFFICER,)))
    current = soup(client.get("/schemes/")).select_one(
        ".govuk-service-navigation__item--active a")
    assert current.get_text(strip=True) == "Schemes and rounds"
