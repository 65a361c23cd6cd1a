"""Load the demo framework and geography and create one demo user per role.

Used by ``make demo`` only. It refuses to run with DEBUG off, so demo accounts and their
well-known password can never be created on a production deployment.
"""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

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
    help = "Load the demo framework, geography and demo users (development only)."

    def handle(self, *args, **options):
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
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
        self._create_users(password)

    def _create_users(self, password):
        User = get_user_model()
        self.stdout.write("")
        self.stdout.write("Demo logins (password from DEMO_PASSWORD, default shown):")
        for username, role, staff, description in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = staff
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:<8} / {password}   {role:<8} {description}")
