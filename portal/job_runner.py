"""The body of every RQ job, run by a worker."""

from flask import has_app_context

from portal.jobs import function


def perform(func_path: str, *args) -> None:
    """Call the function inside an application context: the worker's own, or a new app's
    when the worker was started without one (`rq worker`, say)."""
    if has_app_context():
        function(func_path)(*args)
        return
    from portal import create_app

    with create_app().app_context():
        function(func_path)(*args)
