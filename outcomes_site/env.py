"""Tiny strict parsers for settings read from the environment.

Each parser names the variable in its error, so a bad value stops start-up with a message an
operator can act on (healthchecks does the same).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of true/false, yes/no, on/off, 1/0; got {raw!r}"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",")]
    if any(item == "" for item in items):
        raise ImproperlyConfigured(
            f"{name} must be a comma-separated list with no empty items; got {raw!r}"
        )
    return items


def env_database(name: str, default: str) -> dict:
    raw = env_str(name) or default
    if "://" not in raw:
        raise ImproperlyConfigured(
            f"{name} must be a database URL such as postgres://user@host:5432/name "
            f"or sqlite:///path; got {raw!r}"
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} is not a database URL we support: {error}") from None
    if config["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL or SQLite; got {raw!r}")
    return config


def env_broker_url(name: str) -> str:
    raw = env_str(name)
    if raw and not raw.startswith(("redis://", "rediss://", "memory://")):
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/0; got {raw!r}"
        )
    return raw


def env_cache(name: str, *, broker_url: str) -> dict:
    """The default cache: Redis at the variable's URL, or the broker's when that is Redis, so
    every web process and worker shares one; the in-process cache when neither is Redis or
    the variable is ``none`` (the test suite: each test clears its cache)."""
    raw = env_str(name)
    if raw.lower() == "none":
        raw = ""
    elif not raw and broker_url.startswith(("redis://", "rediss://")):
        raw = broker_url
    if not raw:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if not raw.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured(
            f"{name} must be a Redis URL such as redis://127.0.0.1:6379/1, or none; got {raw!r}"
        )
    return {
        "BACKEND": "outcomes_site.cache.ForgivingRedisCache",
        "LOCATION": raw,
        "KEY_PREFIX": "outcomes",
        # A cache that does not answer quickly is treated as down (outcomes_site/cache.py).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }


def env_path(name: str, default: Path) -> Path:
    raw = env_str(name)
    return Path(raw).expanduser().resolve() if raw else default


def env_url(name: str, default: str = "") -> str:
    """An http(s) URL, without a trailing slash; empty when unset and no default."""
    raw = env_str(name, default)
    if raw and (not raw.startswith(("http://", "https://")) or " " in raw):
        raise ImproperlyConfigured(
            f"{name} must be an http:// or https:// URL such as https://host:8080; got {raw!r}"
        )
    return raw.rstrip("/")


def env_clock_time(name: str) -> tuple[int, int] | None:
    """A time of day as HH:MM (24-hour clock), or None when unset."""
    raw = env_str(name)
    if not raw:
        return None
    hours, colon, minutes = raw.partition(":")
    if colon and hours.isdigit() and minutes.isdigit() and len(minutes) == 2:
        if int(hours) < 24 and int(minutes) < 60:
            return int(hours), int(minutes)
    raise ImproperlyConfigured(f"{name} must be a time of day as HH:MM, such as 06:30; got {raw!r}")


def env_int_map(name: str, default: dict[str, int]) -> dict[str, int]:
    """``key=number`` pairs, comma-separated, over ``default`` (``key=`` drops a key)."""
    raw = env_str(name)
    mapping = dict(default)
    if not raw:
        return mapping
    for item in raw.split(","):
        key, equals, number = (part.strip() for part in item.partition("="))
        if not equals or not key or not (number.isdigit() or number == ""):
            raise ImproperlyConfigured(
                f"{name} must be comma-separated key=number pairs, such as "
                f"local_authority=502,icb=221; got {item.strip()!r}"
            )
        if number:
            mapping[key] = int(number)
        else:
            mapping.pop(key, None)
    return mapping


# --- Single sign-on (README, "Single sign-on") ------------------------------------------------

SSO_ROLES = ("viewer", "owner", "analyst", "admin")  # indicators.roles.ROLES
# Entra's tenant-independent endpoints; their tokens come from many tenants, so a list of the
# tenants allowed to sign in is required with them.
ENTRA_MULTI_TENANT = ("/common/", "/organizations/", "/consumers/")


@dataclass(frozen=True)
class RoleGrant:
    """One OIDC_ROLE_MAP entry: a claim value, the role it gives and, for owners, the partner
    organisation (a Partner's name or short name, checked at sign-in)."""

    value: str
    role: str
    partner: str = ""


@dataclass(frozen=True)
class SingleSignOn:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    button_label: str = "Sign in with your organisation's account"
    role_claim: str = "groups"
    role_map: tuple[RoleGrant, ...] = ()
    allowed_tenants: tuple[str, ...] = ()


def env_role_map(name: str) -> tuple[RoleGrant, ...]:
    """``value=role`` pairs, comma-separated; an owner names their partner after a colon:
    ``outcomes-board=viewer,outcomes-owners-trust=owner:Example Hospitals NHS Trust``."""
    raw = env_str(name)
    if not raw:
        return ()
    grants = []
    for item in raw.split(","):
        value, equals, role = (part.strip() for part in item.partition("="))
        role, colon, partner = (part.strip() for part in role.partition(":"))
        problem = None
        if not equals or not value:
            problem = f"{item.strip()!r} is not a value=role pair"
        elif role not in SSO_ROLES:
            problem = f"{role!r} (for {value!r}) is not one of {', '.join(SSO_ROLES)}"
        elif role == "owner" and not partner:
            problem = f"the owner role (for {value!r}) needs its partner: {value}=owner:<partner>"
        elif role != "owner" and colon:
            problem = f"only the owner role takes a partner; got {item.strip()!r}"
        if problem:
            raise ImproperlyConfigured(
                f"{name} must be comma-separated value=role pairs, roles "
                f"{'/'.join(SSO_ROLES)}, owners as value=owner:<partner>: {problem}"
            )
        grants.append(RoleGrant(value=value, role=role, partner=partner))
    return tuple(grants)


def env_single_sign_on() -> SingleSignOn | None:
    """OpenID Connect settings, or None when OIDC_ISSUER is unset (single sign-on off)."""
    issuer = env_str("OIDC_ISSUER").rstrip("/")
    if not issuer:
        return None
    local = issuer.startswith(("http://127.0.0.1:", "http://localhost:"))
    if not (issuer.startswith("https://") or local) or " " in issuer:
        raise ImproperlyConfigured(
            "OIDC_ISSUER must be the provider's https:// issuer URL, such as "
            f"https://login.microsoftonline.com/<tenant-id>/v2.0; got {issuer!r}"
        )
    client_id, client_secret = env_str("OIDC_CLIENT_ID"), env_str("OIDC_CLIENT_SECRET")
    for variable, value in [("OIDC_CLIENT_ID", client_id), ("OIDC_CLIENT_SECRET", client_secret)]:
        if not value:
            raise ImproperlyConfigured(f"{variable} must be set when OIDC_ISSUER is set")
    scopes = env_str("OIDC_SCOPES", "openid email profile")
    if "openid" not in scopes.split():
        raise ImproperlyConfigured(f"OIDC_SCOPES must include openid; got {scopes!r}")
    allowed_tenants = tuple(env_list("OIDC_ALLOWED_TENANTS", []))
    if any(part in issuer + "/" for part in ENTRA_MULTI_TENANT) and not allowed_tenants:
        raise ImproperlyConfigured(
            "OIDC_ALLOWED_TENANTS must list the tenant ids allowed to sign in when OIDC_ISSUER "
            f"is a multi-tenant endpoint; got OIDC_ISSUER={issuer!r}"
        )
    role_claim = env_str("OIDC_ROLE_CLAIM", "groups")
    if not role_claim:
        raise ImproperlyConfigured("OIDC_ROLE_CLAIM must name a claim, such as groups or roles")
    return SingleSignOn(
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
        button_label=env_str("OIDC_BUTTON_LABEL") or SingleSignOn.button_label,
        role_claim=role_claim,
        role_map=env_role_map("OIDC_ROLE_MAP"),
        allowed_tenants=allowed_tenants,
    )
