import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.models import Extract, ExtractStatus
from ingest.drop_folder import guess_kind
from ingest.queue import extract_submit
from ingest.services import ACTIVE, ExtractRefused, extract_create, extract_process
from outcomes_site.celery import app as celery_app


class Command(BaseCommand):
    help = "Ingest an extract file through the same pipeline as an upload (docs/design.md §4.6)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=["values", "counts"], help="Default: from the header")
        parser.add_argument(
            "--create-areas", action="store_true",
            help="Add areas a Fingertips-format file names but the registry lacks",
        )  # fmt: skip
        parser.add_argument(
            "--skip-unknown-indicators", action="store_true",
            help="Leave out (and count) rows for indicators the registry does not track",
        )  # fmt: skip
        parser.add_argument(
            "--publish", action="store_true",
            help="Publish the extract as soon as it validates, without a review",
        )  # fmt: skip
        parser.add_argument(
            "--wait", action="store_true",
            help="Wait for the extract to finish (applied, or awaiting review); exit non-zero "
            "if it failed",
        )  # fmt: skip
        parser.add_argument(
            "--timeout", type=int, default=3600, help="Seconds to wait (with --wait)"
        )

    def handle(
        self, *args, file, kind=None, create_areas=False, skip_unknown_indicators=False,
        publish=False, wait=False, timeout=3600, **options,
    ):  # fmt: skip
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        # Without a broker the pipeline runs here and now; with one, a worker picks it up.
        in_process = bool(celery_app.conf.task_always_eager)
        create = extract_create if in_process else extract_submit
        try:
            extract = create(
                data=data, original_name=path.name, kind=kind or guess_kind(data, path.name),
                create_areas=create_areas, skip_unknown_indicators=skip_unknown_indicators,
                publish=publish,
            )  # fmt: skip
        except ExtractRefused as refusal:
            raise CommandError(refusal.message) from None
        if in_process:
            extract_process(extract_id=extract.pk)
        self.stdout.write(
            f"Extract #{extract.pk} {'processed in-process' if in_process else 'queued'}: {path.name}"
        )
        if not wait:
            return
        deadline = time.monotonic() + timeout
        extract.refresh_from_db()
        while extract.status in ACTIVE:
            if time.monotonic() > deadline:
                raise CommandError(
                    f"Extract #{extract.pk} still {extract.status} after {timeout} s"
                )
            time.sleep(0.5)
            extract.refresh_from_db()
        self._report(extract)

    def _report(self, extract: Extract):
        if extract.status not in {ExtractStatus.SUCCEEDED, ExtractStatus.AWAITING_REVIEW}:
            for row in extract.report.get("errors_shown", []):
                self.stderr.write(
                    f"Row {row['row']}, {row['column']} {row['value']!r}: {row['message']}"
                )
            raise CommandError(f"Extract #{extract.pk} failed: {extract.error_summary}")
        report = extract.report
        if extract.status == ExtractStatus.AWAITING_REVIEW:
            review = extract.review
            self.stdout.write(
                f"Extract #{extract.pk} is awaiting review: {extract.rows_read:,} rows read; "
                f"publishing it would add {review['added']:,} values and replace "
                f"{review['replaced']:,} ({review['changed']:,} with a different value). "
                "Review it in the admin, then publish it there or with "
                f"`manage.py publish_extract {extract.pk}`."
            )
        else:
            self.stdout.write(
                f"Extract #{extract.pk} succeeded: {extract.rows_read:,} rows read; "
                f"{report.get('observations_created', 0):,} values added, "
                f"{report.get('observations_replaced', 0):,} replaced."
            )
        for note in report.get("notes", []):
            self.stdout.write(f"Note: {note}")
        skipped = report.get("skipped_areas", [])
        if skipped:
            self.stdout.write(
                f"{len(skipped)} larger area(s) not computed: not all their small areas are in the file."
            )
