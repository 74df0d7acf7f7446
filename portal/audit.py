"""The one way to write the audit log. The caller commits, so the event and the change it
records are saved in the same transaction."""

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from models import AuditEvent, User
from portal.extensions import db


def record(
    action: str,
    *,
    actor: User | None = None,
    subject: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event for `action` on `subject` (any model with an id) to the session.

    The actor defaults to the signed-in user; the IP address comes from the current request.
    """
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    event = AuditEvent(
        actor=actor,
        action=action,
        object_type=type(subject).__name__ if subject is not None else None,
        object_id=getattr(subject, "id", None),
        details=details or {},
        ip_address=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event
