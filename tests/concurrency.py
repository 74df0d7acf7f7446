"""Running service calls at the same moment, each as a separate request would: on PostgreSQL
in threads, each with its own application context, session and connection, released together
by a barrier; on SQLite (one writer at a time, no row locks) one after another, where the
outcome must be the same."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from models.base import db
from portal.exceptions import RuleBroken

DONE = "done"
REFUSED = "refused"


def _in_own_context(app, barrier: threading.Barrier | None, action: Callable[[], object]) -> str:
    """Run `action` (a service call that commits) once every thread is ready: DONE, REFUSED
    (a RuleBroken) or the repr of any other error, such as a database error."""
    with app.app_context():
        # Wait before touching the database: the pool has fewer connections than threads.
        if barrier is not None:
            barrier.wait(timeout=30)
        try:
            action()
        except RuleBroken:
            db.session.rollback()
            return REFUSED
        except Exception as error:  # a database error is what the callers look for
            db.session.rollback()
            return repr(error)
        finally:
            db.session.remove()
        return DONE


def at_once(app, backend: str, actions: list[Callable[[], object]]) -> list[str]:
    """Each action's outcome, in the order of `actions`."""
    if backend != "postgresql":
        return [_in_own_context(app, None, action) for action in actions]
    barrier = threading.Barrier(len(actions))
    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        futures = [pool.submit(_in_own_context, app, barrier, action) for action in actions]
        return [future.result(timeout=120) for future in futures]
