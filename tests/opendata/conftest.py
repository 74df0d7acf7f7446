"""The awards' fixtures, for grants to publish."""

from tests.awards.conftest import round_  # noqa: F401
