"""360Giving amounts are JSON numbers of pounds, made from integer pence: every amount the
portal can hold is written as its exact pounds and pence."""

import json
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from portal.money import MAX_PENCE
from portal.opendata.threesixtygiving import pounds


@given(st.integers(min_value=0, max_value=MAX_PENCE))
def test_every_amount_is_written_exactly(pence):
    written = json.dumps(pounds(pence))
    assert Decimal(written) * 100 == pence
    assert Decimal(written) == Decimal(pence).scaleb(-2)


def test_whole_pounds_are_integers():
    assert json.dumps(pounds(4_250_00)) == "4250"
    assert json.dumps(pounds(250_50)) == "250.5"
    assert json.dumps(pounds(1)) == "0.01"
