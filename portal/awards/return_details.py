"""A monitoring return's answers and an officer's review of it, as the forms give them to
`portal.awards.returns` (kept apart so the forms need not import the services)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Answers:
    """A return's answers as the organisation gives them. The maps are keyed by the ids of
    the application's themes, wards and cost lines."""

    progress: str
    outcomes: str
    people_reached: int
    people_by_theme: dict[int, int] = field(default_factory=dict)
    people_by_ward: dict[int, int] = field(default_factory=dict)
    spend_by_line: dict[int, int] = field(default_factory=dict)
    difference_made: str = ""
    lessons_learned: str = ""
    underspend_pence: int | None = None


@dataclass(frozen=True)
class Review:
    accept: bool
    note: str = ""
