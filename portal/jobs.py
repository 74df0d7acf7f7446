"""Background jobs: RQ on Redis when REDIS_URL is set, in-process otherwise.

A job is named by the dotted path of a function taking plain arguments (ids, not database
objects), so the same call runs in a worker or here. Workers start with `flask jobs worker`,
which runs them inside the application's context (configuration and database).
"""

from importlib import import_module

from flask import current_app, has_app_context
from redis import Redis
from rq import Queue, Worker

# A round's letters can take minutes; RQ's default of three minutes would kill a large batch.
JOB_TIMEOUT = 60 * 60


def _function(func_path: str):
    module, name = func_path.rsplit(".", 1)
    return getattr(import_module(module), name)


def perform(func_path: str, *args) -> None:
    """The body of every RQ job: call the function inside an application context (the
    worker's own, or a new app's when the worker was started without one)."""
    if has_app_context():
        _function(func_path)(*args)
        return
    from portal import create_app

    with create_app().app_context():
        _function(func_path)(*args)


def queue() -> Queue:
    config = current_app.config
    return Queue(config["JOB_QUEUE"], connection=Redis.from_url(config["REDIS_URL"]))


def enqueue(func_path: str, *args) -> str:
    """Run `func_path(*args)` as a job: queued on Redis for a worker when REDIS_URL is set
    (returning the RQ job's id), else now, in this process (returning "")."""
    if not current_app.config["REDIS_URL"]:
        _function(func_path)(*args)
        return ""
    return queue().enqueue(perform, func_path, *args, job_timeout=JOB_TIMEOUT).id


def worker() -> Worker:
    """A worker for the portal's queue (forking a process per job, as RQ does)."""
    found = queue()
    return Worker([found], connection=found.connection)
