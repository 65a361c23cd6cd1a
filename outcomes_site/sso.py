"""Single sign-on with OpenID Connect (README, "Single sign-on").

mozilla-django-oidc does the protocol: the authorisation-code flow with PKCE, the state and
nonce kept in the session, the token request and the ID token's signature checked against the
provider's JWKS. This module adds what the library leaves to the site:

- discovery: the endpoints from ``OIDC_ISSUER/.well-known/openid-configuration``, fetched on
  first use (so a provider that is down never stops start-up or a password sign-in) and kept
  for an hour;
- the ID token's issuer, audience, expiry and tenant, which the library does not check;
- who the person is: the account of their (issuer, subject), or an existing account linked
  once by an e-mail address the provider says is verified, never an admin's;
- their roles, from the role claim through ``OIDC_ROLE_MAP``, at every sign-in.

A refused sign-in raises ``SignInRefused``, a PermissionDenied, so Django reports it as a
failed sign-in to django-axes and the audit log; the reason is left on the request for the
page that says so.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from indicators.models import Partner, PartnerMembership
from indicators.roles import ROLES
from outcomes_site.models import SingleSignOnIdentity

DISCOVERY_SECONDS = 60 * 60
TIMEOUT_SECONDS = 10
CLOCK_SKEW_SECONDS = 60
# Which provider signed the session in, for sign-out; absent after a password sign-in.
PROVIDER_SESSION_KEY = "outcomes_sign_in_provider"
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
# Entra's multi-tenant discovery documents write the issuer with this literal in place of
# the tenant id; each token's own issuer has the tenant (its tid claim) there instead.
ENTRA_TENANT_IN_ISSUER = "{tenantid}"

# What the person is told, by reason; the reason itself goes to the audit log.
REFUSALS = {
    "signature": "the sign-in token's signature did not match your organisation's keys",
    "audience": "the sign-in token was issued for another application",
    "expired": "the sign-in token had expired",
    "issuer": "the sign-in token came from a different identity provider",
    "tenant": "your organisation is not one of those allowed to sign in here",
    "nonce": "the sign-in token did not belong to this sign-in (its nonce did not match)",
    "token": "the sign-in token could not be checked",
    "state": "the sign-in reply did not match a sign-in started in this browser "
    "(it was used already, or started elsewhere)",
    "code": "your organisation's sign-in service did not accept the sign-in code "
    "(it was used already, or has expired)",
    "provider_error": "your organisation's sign-in service did not sign you in",
    "identity": "the sign-in did not say who you are",
    "partner": "your owner role names a partner organisation Outcomes does not have",
    "partners": "your groups make you an owner for more than one partner organisation",
    "admin_account": "an Outcomes administrator account has your e-mail address; an "
    "administrator must link it to your organisation's account first",
    "email_taken": "more than one Outcomes account, or one already linked, has your e-mail "
    "address; an administrator must link the right one",
    "inactive": "your Outcomes account is switched off",
}


class SignInRefused(PermissionDenied):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(REFUSALS[reason])
        self.reason = reason
        self.detail = detail


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with something that is not OpenID
    Connect: nobody's fault at the sign-in, so not counted as a failed attempt."""


# --- Discovery and the library's settings ----------------------------------------------------

_discovered: dict[str, tuple[float, dict]] = {}


def provider_metadata(sso) -> dict:
    """The provider's discovery document, fetched at most once an hour."""
    cached = _discovered.get(sso.issuer)
    if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
        return cached[1]
    url = f"{sso.issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"discovery at {url} failed: {error}") from error
    missing = [key for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
               if not isinstance(metadata.get(key), str)]  # fmt: skip
    if missing:
        raise ProviderUnavailable(f"discovery at {url} lacks {', '.join(missing)}")
    if (
        metadata["issuer"].rstrip("/") != sso.issuer
        and ENTRA_TENANT_IN_ISSUER not in metadata["issuer"]
    ):
        raise ProviderUnavailable(
            f"discovery at {url} names the issuer {metadata['issuer']!r}, not OIDC_ISSUER"
        )
    _discovered[sso.issuer] = (time.monotonic(), metadata)
    return metadata


def library_setting(name: str, *default):
    """mozilla-django-oidc's settings, from OIDC_* variables and discovery (its views and
    backend read every setting through ``get_settings``)."""
    sso = settings.SINGLE_SIGN_ON
    fixed = {
        "OIDC_RP_CLIENT_ID": sso.client_id,
        "OIDC_RP_CLIENT_SECRET": sso.client_secret,
        "OIDC_RP_SCOPES": sso.scopes,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_USE_PKCE": True,
        "OIDC_USE_NONCE": True,
        "OIDC_STORE_ID_TOKEN": True,  # the id_token_hint of the provider's sign-out
        "OIDC_TIMEOUT": TIMEOUT_SECONDS,
        "OIDC_CREATE_USER": True,
    }
    if name in fixed:
        return fixed[name]
    if name in ENDPOINTS:
        return provider_metadata(sso).get(ENDPOINTS[name])
    return import_from_settings(name, *default)


def provider_sign_out_url(request) -> str | None:
    """The provider's RP-initiated sign-out for this session, if it signed in through the
    provider and the provider offers one; asked before our own session ends."""
    sso = settings.SINGLE_SIGN_ON
    if sso is None or request.session.get(PROVIDER_SESSION_KEY) != sso.issuer:
        return None
    try:
        endpoint = provider_metadata(sso).get("end_session_endpoint")
    except ProviderUnavailable:
        return None  # our sign-out must never wait on the provider
    if not endpoint:
        return None
    parameters = {
        "client_id": sso.client_id,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    if request.session.get("oidc_id_token"):
        parameters["id_token_hint"] = request.session["oidc_id_token"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(parameters)}"


# --- The backends ----------------------------------------------------------------------------


class PasswordBackend(ModelBackend):
    """Django's password sign-in, for superusers only when LOCAL_LOGIN is off (the break-glass
    account): on the site's sign-in page and the admin's alike."""

    def user_can_authenticate(self, user):
        allowed = settings.LOCAL_LOGIN or getattr(user, "is_superuser", False)
        return allowed and super().user_can_authenticate(user)


class SingleSignOnBackend(OIDCAuthenticationBackend):
    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        # The library reads its endpoints here; discovery waits for a single sign-on, since
        # Django builds every backend for every sign-in, password ones included.
        self.UserModel = get_user_model()

    OIDC_OP_TOKEN_ENDPOINT = property(lambda self: library_setting("OIDC_OP_TOKEN_ENDPOINT"))
    OIDC_OP_USER_ENDPOINT = property(lambda self: library_setting("OIDC_OP_USER_ENDPOINT"))
    OIDC_OP_JWKS_ENDPOINT = property(lambda self: library_setting("OIDC_OP_JWKS_ENDPOINT"))
    OIDC_RP_CLIENT_ID = property(lambda self: library_setting("OIDC_RP_CLIENT_ID"))
    OIDC_RP_CLIENT_SECRET = property(lambda self: library_setting("OIDC_RP_CLIENT_SECRET"))
    OIDC_RP_SIGN_ALGO = property(lambda self: library_setting("OIDC_RP_SIGN_ALGO"))
    OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        sso = settings.SINGLE_SIGN_ON
        if request is None or sso is None or "nonce" not in kwargs:
            return None  # not the callback: a password sign-in
        request.sign_in_provider = sso.issuer
        try:
            user = super().authenticate(request, **kwargs)
        except SignInRefused as refusal:
            request.sign_in_refusal = refusal
            raise
        except requests.HTTPError as error:
            status = error.response.status_code if error.response is not None else 0
            if 400 <= status < 500:  # the token endpoint refused the code
                request.sign_in_refusal = SignInRefused("code", str(error)[:300])
                raise request.sign_in_refusal from error
            raise ProviderUnavailable(str(error)[:300]) from error
        except requests.RequestException as error:
            raise ProviderUnavailable(str(error)[:300]) from error
        except (SuspiciousOperation, jwt.PyJWTError) as error:  # the library's key lookup
            request.sign_in_refusal = SignInRefused("token", str(error))
            raise request.sign_in_refusal from error
        if user is None:
            request.sign_in_refusal = SignInRefused("token", "no user")
            raise request.sign_in_refusal
        return user

    def retrieve_matching_jwk(self, token):
        """The library's key lookup by ``kid``; a token without one may only come from a
        provider that publishes a single signing key (OpenID Connect Core, 10.1)."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SignInRefused("token", f"no kid, and the provider has {len(keys)} keys")
        return jwt.PyJWK(keys[0])

    def verify_token(self, token, **kwargs):
        self.expected_nonce = kwargs.get("nonce")
        return super().verify_token(token, **kwargs)

    def get_payload_data(self, token, key):
        """The ID token's claims once its signature, issuer, audience, expiry, tenant and nonce
        are checked (the library checks only the signature, and the nonce after this)."""
        sso = settings.SINGLE_SIGN_ON
        try:
            claims = jwt.decode(
                token, key, algorithms=["RS256"], audience=sso.client_id,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"], "verify_iss": False},
            )  # fmt: skip
        except jwt.ExpiredSignatureError as error:
            raise SignInRefused("expired", str(error)) from error
        except jwt.InvalidAudienceError as error:
            raise SignInRefused("audience", str(error)) from error
        except jwt.InvalidSignatureError as error:
            raise SignInRefused("signature", str(error)) from error
        except jwt.PyJWTError as error:
            raise SignInRefused("token", str(error)) from error
        tenant = str(claims.get("tid", ""))
        if sso.allowed_tenants and tenant not in sso.allowed_tenants:
            raise SignInRefused("tenant", f"tid {tenant!r}")
        expected_issuer = provider_metadata(sso)["issuer"].replace(ENTRA_TENANT_IN_ISSUER, tenant)
        if claims["iss"] != expected_issuer:
            raise SignInRefused("issuer", f"iss {claims['iss']!r}, expected {expected_issuer!r}")
        if claims.get("nonce") != getattr(self, "expected_nonce", None):
            raise SignInRefused("nonce")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with any the userinfo endpoint adds (some providers put the
        e-mail address only there); the ID token's own claims win."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") != payload["sub"]:
                raise SignInRefused("identity", "userinfo sub differs from the ID token's")
            claims = {**extra, **payload}
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        return user_sign_in(sso=settings.SINGLE_SIGN_ON, claims=claims)

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)  # which refuses inactive accounts


# --- Who signs in, with which roles ----------------------------------------------------------


def role_grants(*, sso, claims: dict) -> tuple[set[str], Partner | None]:
    """The roles ``OIDC_ROLE_MAP`` gives for the role claim's values, and the owner's partner."""
    values = claims.get(sso.role_claim) or []
    if isinstance(values, str):
        values = [values]
    values = {str(value) for value in values} if isinstance(values, list) else set()
    grants = [grant for grant in sso.role_map if grant.value in values]
    partner_names = {grant.partner for grant in grants if grant.role == "owner"}
    if len(partner_names) > 1:
        raise SignInRefused("partners", ", ".join(sorted(partner_names)))
    partner = None
    if partner_names:
        name = partner_names.pop()
        partner = Partner.objects.filter(Q(name=name) | Q(short_name=name)).first()
        if partner is None:
            raise SignInRefused("partner", f"no partner named {name!r} (OIDC_ROLE_MAP)")
    return {grant.role for grant in grants}, partner


@transaction.atomic
def user_sign_in(*, sso, claims: dict):
    """The account for a verified ID token's claims, its roles set from them."""
    roles, partner = role_grants(sso=sso, claims=claims)
    issuer, subject = claims["iss"], str(claims["sub"])
    identity = (
        SingleSignOnIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    user = identity.user if identity else user_for_new_identity(claims=claims)
    if not user.is_active:
        raise SignInRefused("inactive", user.get_username())
    if identity is None:
        SingleSignOnIdentity.objects.create(user=user, issuer=issuer, subject=subject)
    if not user.is_superuser:  # a superuser holds every role whatever the groups say
        roles_apply(user=user, roles=roles, partner=partner)
    return user


def user_for_new_identity(*, claims: dict):
    """An existing account with the e-mail address the provider says is verified, unless it is
    an admin's or linked already; otherwise a new account with no role until the groups give
    one."""
    user_model = get_user_model()
    email = str(claims.get("email") or "").strip()
    if email and claims.get("email_verified") is True:
        matches = list(user_model.objects.filter(email__iexact=email)[:2])
        if len(matches) == 1:
            user = matches[0]
            if user.is_superuser or user.is_staff or user.groups.filter(name="admin").exists():
                raise SignInRefused("admin_account", email)
            if user.sso_identities.exists():
                raise SignInRefused("email_taken", email)
            return user
        if matches:
            raise SignInRefused("email_taken", email)
    wanted = str(claims.get("preferred_username") or email or claims["sub"])[:140]
    username = wanted
    if user_model.objects.filter(username__iexact=username).exists():
        username = f"{wanted}-{str(claims['sub'])[-8:]}"
    return user_model.objects.create_user(
        username=username,
        email=email if "@" in email else "",
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or "")[:150],
    )


def roles_apply(*, user, roles: set[str], partner: Partner | None) -> None:
    """Make the user's role groups exactly ``roles`` and their partner ``partner``; the
    m2m and save signals audit each change and keep staff status with the role."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
    current = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    if current - roles:
        user.groups.remove(*[groups[name] for name in current - roles])
    if roles - current:
        user.groups.add(*[groups[name] for name in roles - current])
    membership = PartnerMembership.objects.filter(user=user).first()
    if partner is not None and (membership is None or membership.partner_id != partner.pk):
        if membership is None:
            PartnerMembership.objects.create(user=user, partner=partner)
        else:
            membership.partner = partner
            membership.save()
    elif partner is None and membership is not None:
        membership.delete()
    user.refresh_from_db(fields=["is_staff"])
    user.__dict__.pop("_outcomes_roles", None)
