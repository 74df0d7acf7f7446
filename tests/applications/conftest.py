import pytest

from tests.applications.helpers import World, make_world
from tests.conftest import sign_in_as


@pytest.fixture
def world(ctx) -> World:
    return make_world()


@pytest.fixture
def applicant_client(client, world):
    """A client signed in as the world's applicant (organisation admin)."""
    sign_in_as(client, world.applicant)
    return client
