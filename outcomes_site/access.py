"""Who may open which URL, decided on the server for every request (README, "Roles").

- Every view needs a signed-in user with a role, unless it is marked ``login_not_required``
  (the login page, the health check, the admin, which checks staff status and model
  permissions itself, and the API, which answers 401 in JSON itself).
- A signed-in user with no role yet sees a 403 page that says so.
- With ``PUBLIC_READ`` on, views marked ``public_read`` (the reporting pages, the explorer
  and the API) also serve anonymous visitors, who see published indicators only and small
  numbers suppressed, like a viewer.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import PermissionDenied

from indicators.roles import roles_of

NO_ROLE = (
    "Your account has no role yet, so it cannot see any data. "
    "Ask an Outcomes administrator to give you the viewer role."
)


def public_read(view):
    """Mark a read-only view anonymous visitors may open when PUBLIC_READ is on."""
    view.public_read = True
    return view


def anonymous_may_read(request, view_func) -> bool:
    return settings.PUBLIC_READ and getattr(view_func, "public_read", False)


class AccessMiddleware(LoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if request.user.is_authenticated:
            if not roles_of(request.user):
                raise PermissionDenied(NO_ROLE)
            return None
        if anonymous_may_read(request, view_func):
            return None
        return self.handle_no_permission(request, view_func)
