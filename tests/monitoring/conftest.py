"""The monitoring tests' fixtures (the browser journey imports the same one)."""

from tests.monitoring.accountability import later  # noqa: F401 (a fixture)
from tests.monitoring.anchors import fixed_now  # noqa: F401 (a fixture)
