"""Load the demo: framework, geography, one user per role, and synthetic data through the real
pipeline (generated extracts ingested exactly as an analyst's uploads would be).

Used by ``make demo``. It refuses to run with DEBUG off, so demo accounts and their
well-known password can never be created on a production deployment.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from indicators.models import Extract, ExtractStatus, Partner, PartnerMembership
from indicators.services import (
    ImportFailed,
    narratives_import,
    programmes_import,
    targets_import,
)
from ingest.demo_data import generate_demo_extracts
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
        parser.add_argument("--no-data", action="store_true", help="Skip the synthetic data")
        parser.add_argument("--seed", type=int, default=2024)

    def handle(self, *args, no_data=False, seed=2024, **options):
        if not settings.DEBUG:
            raise CommandError("load_demo creates demo accounts, so it only runs with DEBUG=true.")
        call_command(
            "import_registry",
            str(FIXTURES / "demo_framework.csv"),
            domains=str(FIXTURES / "demo_domains.csv"),
            publish=True,
            stdout=self.stdout,
        )
        call_command("import_areas", str(FIXTURES / "areas.csv"), stdout=self.stdout)
        call_command("import_system", str(FIXTURES / "demo_system.toml"), stdout=self.stdout)
        self.stdout.write(
            programmes_import(programmes_file=str(FIXTURES / "demo_programmes.csv")).summary(
                "Programmes"
            )
        )
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        users = self._create_users(password)
        self._assign_owner(users["owner"])
        if not no_data:
            self._load_data(seed=seed, author=users["owner"])
        self._print_logins(password)

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

    def _print_logins(self, password):
        self.stdout.write("")
        self.stdout.write("Demo logins (password from DEMO_PASSWORD, default shown):")
        for username, role, _, description in DEMO_USERS:
            self.stdout.write(f"  {username:<8} / {password}   {role:<8} {description}")

    def _load_data(self, *, seed, author):
        if Extract.objects.filter(is_synthetic=True, status=ExtractStatus.SUCCEEDED).exists():
            self.stdout.write("Demo data already loaded (delete db.sqlite3 to start again).")
            return
        started = time.monotonic()
        folder = Path(settings.VAR_DIR) / "demo" / str(seed)
        self.stdout.write(f"Generating synthetic extracts in {folder} …")
        manifest = generate_demo_extracts(out_dir=folder, seed=seed)
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
            extract = extract_process(extract_id=extract.pk)
            if extract.status != ExtractStatus.SUCCEEDED:
                raise CommandError(f"Demo extract {path.name} failed: {extract.error_summary}")
            self.stdout.write(
                f"  [{number}/{len(manifest.extracts)}] {path.name}: {extract.rows_read:,} rows"
            )
        narratives_import(narratives_file=str(manifest.narratives), author=author)
        self.stdout.write(
            f"Demo data loaded through the pipeline in {time.monotonic() - started:.0f} s."
        )
