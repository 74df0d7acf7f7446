"""Background jobs: RQ on Redis when REDIS_URL is set, in-process otherwise.

A job is named by the dotted path of a function taking plain arguments (ids, not database
objects), so the same call runs in a worker or here. Workers start with `flask jobs worker`,
which runs them inside the application's context (configuration and database).
"""

from datetime import datetime, timedelta
from importlib import import_module

from flask import current_app
from redis import Redis, RedisError
from rq import Queue, Worker
from rq.cron import CronScheduler
from rq.job import Job, JobStatus

from models.base import utcnow

# A round's letters can take minutes; RQ's default of three minutes would kill a large batch.
JOB_TIMEOUT = 60 * 60
# RQ's states for a job that will not run (any further): it ended, or a worker gave up on it.
ENDED = {JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}
# The body of every RQ job, named rather than imported: it needs the app factory, and the
# services that queue jobs must not depend on the app (and through it on every route).
PERFORM = "portal.job_runner.perform"


class JobsUnavailable(Exception):
    """Redis cannot be reached, so jobs can be neither queued nor looked up."""


def function(func_path: str):
    module, name = func_path.rsplit(".", 1)
    return getattr(import_module(module), name)


def _connection() -> Redis:
    # A Redis that is down should fail a request in seconds, not hang it. (Only the connect
    # is bounded: a worker's blocking wait for jobs must not time out.)
    return Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2)


def queue() -> Queue:
    return Queue(current_app.config["JOB_QUEUE"], connection=_connection())


def enqueue(func_path: str, *args) -> str:
    """Run `func_path(*args)` as a job: queued on Redis for a worker when REDIS_URL is set
    (returning the RQ job's id; JobsUnavailable when Redis cannot be reached), else now, in
    this process (returning "")."""
    if not current_app.config["REDIS_URL"]:
        function(func_path)(*args)
        return ""
    try:
        return queue().enqueue(PERFORM, func_path, *args, job_timeout=JOB_TIMEOUT).id
    except RedisError as error:
        raise JobsUnavailable(str(error)) from error


def all_ended(job_ids: list[str]) -> bool:
    """Whether none of the queued jobs will run any further: each finished, failed, stopped,
    cancelled or gone from Redis. One round trip to Redis; JobsUnavailable when it cannot be
    asked."""
    try:
        found = Job.fetch_many(job_ids, connection=_connection())
    except RedisError as error:
        raise JobsUnavailable(str(error)) from error
    return all(job is None or job.get_status(refresh=False) in ENDED for job in found)


def redis_is_reachable() -> bool:
    try:
        with _connection() as connection:
            connection.ping()
    except RedisError:
        return False
    return True


def worker() -> Worker:
    """A worker for the portal's queue (forking a process per job, as RQ does)."""
    found = queue()
    return Worker([found], connection=found.connection)


def cron_scheduler(func_path: str, cron: str) -> CronScheduler:
    """RQ's cron scheduler, queueing `func_path` as a job on the portal's queue whenever the
    cron line `cron` falls due (by the scheduler's clock); a worker runs it."""
    scheduler = CronScheduler(connection=_connection())
    scheduler.register(function(PERFORM), current_app.config["JOB_QUEUE"], args=(func_path,),
                       cron=cron, job_timeout=JOB_TIMEOUT, name=func_path)
    return scheduler


# A job's record not finished this long after it was asked for has lost its job: a worker
# killed outright leaves its job "started" in RQ for ever. (One job may take JOB_TIMEOUT.)
STALE_AFTER = timedelta(seconds=2 * JOB_TIMEOUT)


def lost_reason(requested_at: datetime, job_ids: list[str]) -> str | None:
    """Why the unfinished work asked for at `requested_at` (queued as the jobs `job_ids`, none
    when it ran in-process) will never finish, "stale" or "job_ended" (every one of its jobs
    has ended, yet it is not done), or None while it may: a worker may be busy, or Redis may
    be down only for now."""
    if utcnow() - requested_at > STALE_AFTER:
        return "stale"
    try:
        if job_ids and all_ended(job_ids):
            return "job_ended"
    except JobsUnavailable:
        pass
    return None
