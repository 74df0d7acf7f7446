"""Who may see and run Community Anchor contracts: commissioners run them; a provider's
members see their own contracts and send their returns; no one else sees anything."""

import pytest

from models.enums import OrganisationRole, Role
from portal import policies
from tests.factories import ContractFactory, MembershipFactory, UserFactory


@pytest.mark.parametrize(("role", "commissions"), [
    (Role.COMMISSIONER, True), (Role.GRANTS_OFFICER, False), (Role.ADMIN, False),
    (Role.ASSESSOR, False), (Role.APPLICANT, False)])
def test_only_commissioners_commission(ctx, role, commissions):
    person = UserFactory(roles=(role,))
    contract = ContractFactory()
    assert policies.can_commission(person) is commissions
    assert policies.can_view_contract(person, contract) is commissions
    assert policies.can_submit_return(person, contract) is False


@pytest.mark.parametrize("membership", [OrganisationRole.ADMIN, OrganisationRole.MEMBER])
def test_the_providers_members_see_their_contract_and_send_returns(ctx, membership):
    contract = ContractFactory()
    member = MembershipFactory(organisation=contract.provider, role=membership).user
    assert policies.can_view_contract(member, contract)
    assert policies.can_submit_return(member, contract)
    assert not policies.can_commission(member)


def test_another_providers_members_see_nothing(ctx):
    contract, other = ContractFactory(), ContractFactory()
    stranger = MembershipFactory(organisation=other.provider).user
    assert not policies.can_view_contract(stranger, contract)
    assert not policies.can_submit_return(stranger, contract)
    assert not policies.can_view_contract(None, contract)
