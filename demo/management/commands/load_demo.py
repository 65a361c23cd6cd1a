"""Load the demo: framework, geography, the system, one user per role, and synthetic data
through the real pipeline (generated extracts ingested exactly as an analyst's uploads would
be).

Used by ``make demo``. The system is the shipped one (``fixtures/demo_system.toml``) unless
``--system`` or ``DEMO_SYSTEM`` names another ICB by its ONS or ODS code, whose system file is
then written from the shipped geography. It refuses to run with DEBUG off, so demo accounts
and their well-known password can never be created on a production deployment.
"""

import csv
import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from demo.extracts import generate_demo_extracts
from demo.partners import framework_files
from demo.systems import (
    DemoSystem,
    UnknownSystem,
    default_system_names,
    demo_system_resolve,
    demo_system_toml,
)
from indicators.models import Extract, ExtractStatus, Partner, PartnerMembership, System
from indicators.services import (
    ImportFailed,
    narratives_import,
    programmes_import,
    targets_import,
)
from ingest.services import extract_create, extract_process

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEFAULT_DEMO_PASSWORD = "outcomes-demo"
DEMO_USERS = [
    # username, role, staff (may open the admin), description
    ("lead", "viewer", False, "strategic lead: framework summary, domains, board pack"),
    ("manager", "viewer", False, "programme manager: the data explorer"),
    ("owner", "owner", False, "indicator owner: writes narrative"),
    ("analyst", "analyst", True, "analyst: registry, uploads, unsuppressed data"),
    ("admin", "admin", True, "administrator: users and roles"),
]


class Command(BaseCommand):
    help = "Load the demo framework, geography, users and synthetic data (development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--system", default=os.environ.get("DEMO_SYSTEM") or None,
            help="The ICB whose system to load, by ONS (E54…) or ODS code (default: "
            "DEMO_SYSTEM, else the shipped demo system)",
        )  # fmt: skip
        parser.add_argument("--no-data", action="store_true", help="Skip the synthetic data")
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--years", type=int, default=5, help="Years of data per indicator")
        parser.add_argument(
            "--indicators", help="Comma-separated codes to generate data for (default: all)"
        )

    def handle(self, *args, system=None, no_data=False, seed=2024, years=5, indicators=None,
               **options):  # fmt: skip
        if not settings.DEBUG:
            raise CommandError("load_demo creates demo accounts, so it only runs with DEBUG=true.")
        try:
            demo = demo_system_resolve(system)
        except UnknownSystem as error:
            raise CommandError(f"No demo loaded: {error}.") from None
        codes = self._indicator_codes(indicators)
        switching = self._system_switch(demo)
        files = framework_files(
            None if demo.is_default else Path(settings.VAR_DIR) / "demo" / demo.icb,
            default_names=default_system_names(),
        )
        call_command(
            "import_registry",
            str(files["framework"]),
            domains=str(files["domains"]),
            publish=True,
            stdout=self.stdout,
        )
        call_command("import_areas", str(FIXTURES / "areas.csv"), stdout=self.stdout)
        self._import_system(demo, replace_groups=switching or not demo.is_default)
        self.stdout.write(
            programmes_import(programmes_file=str(files["programmes"])).summary("Programmes")
        )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        users = self._create_users(password)
        self._assign_owner(users["owner"])
        if not no_data:
            self._load_data(demo, seed=seed, years=years, indicators=codes, author=users["owner"])
        self._print_logins(demo, password)

    def _indicator_codes(self, indicators: str | None) -> list[str] | None:
        if not indicators:
            return None
        codes = [code.strip() for code in indicators.split(",") if code.strip()]
        with (FIXTURES / "demo_framework.csv").open(newline="", encoding="utf-8") as handle:
            known = {row["code"] for row in csv.DictReader(handle)}
        unknown = sorted(set(codes) - known)
        if unknown:
            raise CommandError(f"No demo loaded: unknown indicator codes {', '.join(unknown)}.")
        return codes

    def _system_switch(self, demo: DemoSystem) -> bool:
        """Whether another system is configured. One system's synthetic data at a time:
        loading another's over it would mix two systems' numbers under one name."""
        loaded = System.objects.select_related("headline_area").first()
        if loaded is None or loaded.headline_area.code == demo.icb:
            return False
        if Extract.objects.filter(is_synthetic=True).exists():
            raise CommandError(
                f"The demo for {loaded.name} is already loaded, so {demo.name}'s was not: "
                "start from an empty database (delete db.sqlite3) to switch systems."
            )
        return True

    def _import_system(self, demo: DemoSystem, *, replace_groups: bool):
        path = demo.system_file
        if path is None:
            path = Path(settings.VAR_DIR) / "demo" / f"system_{demo.icb}.toml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(demo_system_toml(demo), encoding="utf-8")
            self.stdout.write(f"System file for {demo.name} written to {path}")
        call_command("import_system", str(path), replace_groups=replace_groups, stdout=self.stdout)

    def _create_users(self, password):
        User = get_user_model()
        users = {}
        for username, role, staff, _ in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = staff
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
        return users

    def _assign_owner(self, user):
        """The demo owner works for the partner that owns the most indicators."""
        partner = (
            Partner.objects.annotate(owned=Count("indicators")).order_by("-owned", "name").first()
        )
        PartnerMembership.objects.update_or_create(user=user, defaults={"partner": partner})
        self.stdout.write(f"The demo owner writes narrative for {partner.name}.")

    def _print_logins(self, demo: DemoSystem, password):
        self.stdout.write("")
        named = demo.name if demo.short_name == demo.name else f"{demo.name} ({demo.short_name})"
        self.stdout.write(f"Demo logins for {named}; password from DEMO_PASSWORD, default shown:")
        for username, role, _, description in DEMO_USERS:
            self.stdout.write(f"  {username:<8} / {password}   {role:<8} {description}")

    def _load_data(self, demo: DemoSystem, *, seed, years, indicators, author):
        if Extract.objects.filter(is_synthetic=True, status=ExtractStatus.SUCCEEDED).exists():
            self.stdout.write("Demo data already loaded (delete db.sqlite3 to start again).")
            return
        started = time.monotonic()
        folder = Path(settings.VAR_DIR) / "demo" / demo.icb / str(seed)
        self.stdout.write(f"Generating synthetic extracts for {demo.name} in {folder} …")
        manifest = generate_demo_extracts(
            out_dir=folder, system=demo, seed=seed, years=years, indicators=indicators
        )
        try:
            # Targets first, so the pipeline derives target comparisons and SPC assurance.
            targets_import(targets_file=str(manifest.baselines_targets))
        except ImportFailed as failure:
            raise CommandError("; ".join(failure.errors)) from None
        for number, (path, kind) in enumerate(manifest.extracts, start=1):
            extract = extract_create(
                data=path.read_bytes(), original_name=path.name, kind=kind,
                is_synthetic=True, enqueue=False,
            )  # fmt: skip
            # The demo's own data goes live at once: there is nobody to review it.
            extract = extract_process(extract_id=extract.pk, publish=True)
            if extract.status != ExtractStatus.SUCCEEDED:
                raise CommandError(f"Demo extract {path.name} failed: {extract.error_summary}")
            self.stdout.write(
                f"  [{number}/{len(manifest.extracts)}] {path.name}: {extract.rows_read:,} rows"
            )
        narratives_import(narratives_file=str(manifest.narratives), author=author)
        self.stdout.write(
            f"Demo data loaded through the pipeline in {time.monotonic() - started:.0f} s."
        )
