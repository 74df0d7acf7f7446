"""References stay unique and consecutive however many applications are submitted at once.

On PostgreSQL, ten applications to one scheme and year are submitted at the same moment from
ten threads, each with its own application context, session and connection: the sequence row
(inserted by the first, then updated by each in turn under its row lock) hands out 1 to 10 with
no duplicates. SQLite allows one writer at a time, so there they are submitted one after another.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from models import ReferenceSequence, User
from models.base import db
from models.enums import ApplicationStatus, OrganisationRole
from portal.applications import services
from tests.applications.helpers import COMPLETE_PROFILE, complete, make_world
from tests.factories import ApplicationFactory, MembershipFactory, OrganisationFactory

SUBMISSIONS = 10


def _applications(world) -> list[tuple[int, int]]:
    """(applicant id, application id) for ten organisations' complete drafts, committed."""
    pairs = []
    for number in range(SUBMISSIONS):
        organisation = OrganisationFactory(name=f"Group {number}", wards=world.wards[:1],
                                           **COMPLETE_PROFILE)
        user = MembershipFactory(organisation=organisation, role=OrganisationRole.ADMIN).user
        application = complete(ApplicationFactory(round=world.round, organisation=organisation,
                                                  created_by=user, sections={}))
        pairs.append((user.id, application.id))
    return pairs


def _submit_in_own_context(app, barrier: threading.Barrier | None, user_id: int,
                           application_id: int) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            return services.submit_application(user, application_id).reference
        finally:
            db.session.remove()


def test_references_are_unique_and_consecutive_under_concurrent_submission(app, ctx, backend):
    world = make_world()
    pairs = _applications(world)
    if backend == "postgresql":
        barrier = threading.Barrier(SUBMISSIONS)
        with ThreadPoolExecutor(max_workers=SUBMISSIONS) as pool:
            futures = [pool.submit(_submit_in_own_context, app, barrier, *pair)
                       for pair in pairs]
            references = [future.result(timeout=60) for future in futures]
    else:
        references = [_submit_in_own_context(app, None, *pair) for pair in pairs]

    assert sorted(references) == [f"CPG-2425-{n:04d}" for n in range(1, SUBMISSIONS + 1)]
    db.session.expire_all()
    assert db.session.scalar(select(ReferenceSequence.last_number)) == SUBMISSIONS
    assert {status for (status,) in db.session.execute(
        select(services.Application.status))} == {ApplicationStatus.SUBMITTED}
