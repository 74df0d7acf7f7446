"""Route decorators for who may use a view. Object-level checks live in the services."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from models.enums import Role


def roles_required(*roles: Role) -> Callable:
    """Signed-in users holding at least one of `roles`; others are sent to sign in or get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


__all__ = ["login_required", "roles_required"]
