"""``manage.py import_system FILE.toml [--replace-groups]``: configure the system this
instance reports for and its comparator groups (format: README, "Set up your own system")."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.system_import import SystemFileError, system_file_read, system_import


class Command(BaseCommand):
    help = "Configure the system (name, headline and benchmark areas) and its comparator groups."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A TOML file with a [system] table")
        parser.add_argument(
            "--replace-groups", action="store_true",
            help="Delete comparator groups the file does not name (default: leave them)",
        )  # fmt: skip

    def handle(self, *args, file, replace_groups=False, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read the file ({error.strerror})") from None
        try:
            config = system_file_read(data)
        except SystemFileError as error:
            lines = "\n".join(f"  {message}" for message in error.messages)
            raise CommandError(f"{file}: nothing was imported.\n{lines}") from None
        for line in system_import(config, replace_groups=replace_groups):
            self.stdout.write(line)
