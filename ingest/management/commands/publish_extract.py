from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from indicators.models import Extract, ExtractStatus
from ingest.publishing import PublishRefused, extract_publish, extract_schedule, moment


class Command(BaseCommand):
    help = (
        "Publish an extract awaiting review, now or at a set time (an embargo; Celery beat "
        "publishes it then). If the data it was reviewed against has changed since, it is not "
        "published: its review is worked out again for the analyst to look at."
    )

    def add_arguments(self, parser):
        parser.add_argument("extract_id", type=int)
        parser.add_argument(
            "--at", metavar="ISO-DATETIME",
            help="When to publish, e.g. 2027-03-04T09:30 (local time unless it gives an offset)",
        )  # fmt: skip

    def handle(self, *args, extract_id, at=None, **options):
        extract = Extract.objects.filter(pk=extract_id).first()
        if extract is None:
            raise CommandError(f"There is no extract #{extract_id}.")
        try:
            if at is not None:
                extract = extract_schedule(extract=extract, at=_moment(at))
                self.stdout.write(
                    f"Extract #{extract.pk} will be published at {moment(extract.publish_at)}."
                )
                return
            extract = extract_publish(extract=extract)
        except PublishRefused as refusal:
            raise CommandError(refusal.message) from None
        if extract.status == ExtractStatus.AWAITING_REVIEW:
            raise CommandError(f"Extract #{extract.pk} was not published. {extract.review_notice}")
        report = extract.report
        self.stdout.write(
            f"Extract #{extract.pk} published: {report.get('observations_created', 0):,} values "
            f"added, {report.get('observations_replaced', 0):,} replaced."
        )


def _moment(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--at must be a date and time such as 2027-03-04T09:30; got {text!r}"
        ) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
