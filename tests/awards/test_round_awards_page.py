"""The round's awards page: each approved application's action is a working link."""

from tests.awards.conftest import approved, make
from tests.html import soup


def test_the_action_column_links_to_the_award_or_to_making_the_offer(client, officer, round_):
    offered = make(round_).award
    waiting = approved(round_, 700_00)
    page = soup(client.get(f"/awards/rounds/{round_.id}"))
    actions = {row.select("td")[0].get_text(strip=True): row.select("td")[-1]
               for row in page.select("#awards tbody tr")}
    view = actions[offered.decision.application.reference].select_one("a.govuk-link")
    assert view["href"] == f"/awards/{offered.id}"
    assert view.get_text(" ", strip=True) == (
        f"View the award {offered.decision.application.reference}")
    offer = actions[waiting.reference].select_one("a.govuk-link")
    assert offer["href"] == f"/awards/applications/{waiting.id}/offer"
    assert offer.get_text(" ", strip=True) == f"Make the award offer for {waiting.reference}"
