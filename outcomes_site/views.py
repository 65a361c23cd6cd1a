import logging
import sys

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import View, defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from indicators.audit import record
from indicators.models import AuditAction
from outcomes_site import sso
from outcomes_site.health import broker_status, database_status

logger = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """Liveness for load balancers and compose: 200 when the database and broker answer."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(
        status == "ok" or status.startswith("not configured") for status in checks.values()
    )
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows after too many failed sign-ins (its AXES_LOCKOUT_CALLABLE)."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "registration/locked_out.html", context, status=429)


# Seconds a client is asked to wait before retrying while the database is unreachable.
DATABASE_RETRY_AFTER = 30


def server_error(request):
    """handler500: a database that cannot be reached (restarting, failing over) is a temporary
    outage, answered as a plain 503 page with Retry-After; anything else is the usual 500.

    Rendered without the request, so no context processor touches the database again. The
    broken connection is dropped at the end of the request and, with CONN_HEALTH_CHECKS,
    replaced on the next one: service resumes by itself when the database is back."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return defaults.server_error(request)


# --- Signing in and out (README, "Single sign-on") --------------------------------------------


class SignInView(auth_views.LoginView):
    """The sign-in page: the single sign-on button beside the password form, or instead of it
    when LOCAL_LOGIN is off (``?break-glass=1`` shows the form for the superuser)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        break_glass = BREAK_GLASS in self.request.GET
        context.update(
            sso=settings.SINGLE_SIGN_ON,
            password_form=settings.LOCAL_LOGIN or break_glass,
            break_glass=break_glass and not settings.LOCAL_LOGIN,
        )
        return context


BREAK_GLASS = "break-glass"


class SignOutView(auth_views.LogoutView):
    """Ends our session; after a single sign-on, offers the provider's own sign-out when its
    discovery document has an end_session_endpoint (RP-initiated logout)."""

    def post(self, request, *args, **kwargs):
        provider_sign_out = sso.provider_sign_out_url(request)  # before the session ends
        response = super().post(request, *args, **kwargs)
        if provider_sign_out is None:
            return response
        context = {"provider_sign_out": provider_sign_out, "sso": settings.SINGLE_SIGN_ON}
        return render(request, "registration/signed_out.html", context)


def sign_in_failed(request, *, reason: str, detail: str = "", status: int = 403):
    """The page for a refused or failed single sign-on: it says why, and no session is left."""
    if request.user.is_authenticated:
        logout(request)
    message = sso.REFUSALS.get(reason)
    context = {"reason": message, "unavailable": status == 503, "sso": settings.SINGLE_SIGN_ON}
    response = render(request, "registration/sign_in_failed.html", context, status=status)
    if status == 503:
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def signal_refusal(request, reason: str, detail: str = "") -> None:
    """Report a refusal that never reached ``authenticate`` (a replayed state, the provider's
    own error) as a failed sign-in, as Django does for those that did: django-axes counts it,
    the audit log records it."""
    request.sign_in_provider = settings.SINGLE_SIGN_ON.issuer
    request.sign_in_refusal = sso.SignInRefused(reason, detail)
    user_login_failed.send(sender=__name__, credentials={"username": ""}, request=request)


class SingleSignOnStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a fresh state, nonce and PKCE challenge."""

    get_settings = staticmethod(sso.library_setting)
    OIDC_OP_AUTH_ENDPOINT = property(
        lambda self: sso.library_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
    )
    OIDC_RP_CLIENT_ID = property(lambda self: sso.library_setting("OIDC_RP_CLIENT_ID"))

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library would discover the provider here

    def dispatch(self, request, *args, **kwargs):
        if settings.SINGLE_SIGN_ON is None:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except sso.ProviderUnavailable as error:
            logger.warning("Single sign-on provider unavailable: %s", error)
            return sign_in_failed(request, reason="", status=503)


class SingleSignOnCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks the state, exchanges the
    code (with the PKCE verifier) and hands the ID token to ``sso.SingleSignOnBackend``."""

    get_settings = staticmethod(sso.library_setting)

    def dispatch(self, request, *args, **kwargs):
        if settings.SINGLE_SIGN_ON is None:
            raise Http404("Single sign-on is not configured.")
        try:
            return super().dispatch(request, *args, **kwargs)
        except SuspiciousOperation as error:  # the library: state not in this session
            signal_refusal(request, "state", str(error))
            return sign_in_failed(request, reason="state")
        except sso.ProviderUnavailable as error:
            logger.warning("Single sign-on provider unavailable: %s", error)
            record(
                action=AuditAction.LOGIN_FAILED, request=request, user=None, username="",
                details={"provider": settings.SINGLE_SIGN_ON.issuer, "reason": "unavailable"},
            )  # fmt: skip
            return sign_in_failed(request, reason="", status=503)

    def login_success(self):
        response = super().login_success()
        self.request.session[sso.PROVIDER_SESSION_KEY] = settings.SINGLE_SIGN_ON.issuer
        return response

    def login_failure(self):
        request = self.request
        if getattr(request, "axes_locked_out", False):  # django-axes refused, and counted it
            return locked_out(request)
        refusal = getattr(request, "sign_in_refusal", None)
        if refusal is None:  # refused before authenticate: no state in the session, or the
            reason = "provider_error" if request.GET.get("error") else "state"  # provider's
            signal_refusal(request, reason, request.GET.get("error", "")[:100])
            refusal = request.sign_in_refusal
        return sign_in_failed(request, reason=refusal.reason)
