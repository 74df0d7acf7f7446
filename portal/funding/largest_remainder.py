"""Sharing a whole amount in proportion to weights, by largest remainder: the one way money is
shared out in the portal (an award or a payment across pots, a taper's year across contracts).

Pure arithmetic on integers (pence, or whole pounds); no app, no database.
"""

from collections.abc import Mapping
from typing import TypeVar

Key = TypeVar("Key", int, str)  # what is shared between: pot ids, contract references


def largest_remainder(amount: int, weights: Mapping[Key, int], *,
                      lower: Mapping[Key, int] | None = None,
                      upper: Mapping[Key, int] | None = None) -> dict[Key, int]:
    """`amount` shared in proportion to `weights` (key -> weight), in whole units, adding up
    exactly to `amount`. Every key gets the whole units of its exact share, kept within its
    bounds (`lower` and `upper`, key -> units; a key without one is unbounded that way); then,
    one unit at a time, the key with the largest remainder (exact share less what it has) that
    may still grow gets one more, or, when the bounds have given out too much, the key with the
    smallest remainder that may still shrink gives one back. Ties go to the lowest key, so the
    result depends only on the arguments.

    Without bounds each share is within one unit of exact and the left-over units go one each
    to the largest remainders. Weights must not be negative; ValueError when they add up to
    nothing but `amount` is not nothing, since it could not be shared. Callers passing bounds
    pass bounds that leave room for the amount (their sums lie either side of it)."""
    total = sum(weights.values())
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("weights must not be negative")
    if amount and not total:
        raise ValueError(f"{amount} cannot be shared by weights adding up to nothing")
    low, high = lower or {}, upper or {}

    def bounded(key: Key, units: int) -> int:
        units = max(units, low.get(key, units))
        return min(units, high[key]) if key in high else units

    # The remainder of a key, exact share less its units, times `total` so it stays whole.
    def remainder(key: Key) -> int:
        return amount * weights[key] - shares[key] * total

    keys = sorted(weights)
    shares = {key: bounded(key, amount * weights[key] // (total or 1)) for key in keys}
    while (gap := amount - sum(shares.values())) != 0:
        if gap > 0:
            growable = [key for key in keys if bounded(key, shares[key] + 1) > shares[key]]
            key = max(growable, key=remainder)  # the first of equals: the lowest key
            shares[key] += 1
        else:
            shrinkable = [key for key in keys if bounded(key, shares[key] - 1) < shares[key]]
            key = min(shrinkable, key=remainder)
            shares[key] -= 1
    return shares
