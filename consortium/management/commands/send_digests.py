"""Send a week's digest now, in this process: for operators catching up by hand and for trying the demo."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consortium.services.digests import period_of, period_window, plan_digest_chunks, send_digest_chunk


def current_period(now: datetime.datetime) -> str:
    """The week whose seven days include now: this ISO week's if its due moment is still ahead, else the next's."""
    period = period_of(now)
    if period_window(period)[1] <= now:
        period = period_of(now + datetime.timedelta(days=7))
    return period


class Command(BaseCommand):
    help = (
        "Build and send a week's digest to everyone it is due to (each person at most once per week). "
        "Without --period: the week in progress, covering its days up to now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", help="An ISO week such as 2026-W48.")

    def handle(self, *args, period=None, **options):
        period = period or current_period(timezone.now())
        try:
            period_window(period)
        except ValueError as error:
            raise CommandError(f"--period must be an ISO week such as 2026-W48 ({error}).") from error
        totals: dict[str, int] = {}
        for first_pk, last_pk in plan_digest_chunks():
            for key, count in send_digest_chunk(period=period, first_pk=first_pk, last_pk=last_pk).items():
                totals[key] = totals.get(key, 0) + count
        summary = ", ".join(f"{key} {count}" for key, count in sorted(totals.items())) or "nobody to send to"
        self.stdout.write(f"Digest {period}: {summary}.")
