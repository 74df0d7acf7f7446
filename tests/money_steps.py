"""What the money state machines (awards, contracts) share: how much of what is left a step
asks for."""

from hypothesis import strategies as st


def sizes(largest: int):
    """A sum up to `largest`, half, all of what is left, or a penny over it."""
    return st.one_of(st.sampled_from(["half", "all", "penny over"]), st.integers(1, largest))


def aim(limit: int, size: int | str) -> int:
    """The pence a step asks for, given `limit` left and the drawn size."""
    match size:
        case "half":
            return max(limit // 2, 1)
        case "all":
            return max(limit, 1)
        case "penny over":
            return limit + 1
    return size
