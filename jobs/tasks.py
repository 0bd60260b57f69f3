from celery import shared_task

from . import impact, services
from .models import AlertFrequency
from .services import alerts


@shared_task(acks_late=True, time_limit=600)
def expire_and_remind() -> dict:
    """Daily: expire jobs past their deadline and remind posters three days before. Safe to repeat."""
    return {"expired": len(services.expire_jobs()), "reminded": services.remind_deadlines()}


# Alerts go out after expire_and_remind, so they never offer a job that expired that morning.


@shared_task(acks_late=True, time_limit=1800)
def send_daily_alerts() -> int:
    """Daily job alerts; a second run the same day sends nothing (one notification per alert and day)."""
    return alerts.send_alerts(frequency=AlertFrequency.DAILY)


@shared_task(acks_late=True, time_limit=1800)
def send_weekly_alerts() -> int:
    """Weekly job alerts; a second run in the same ISO week sends nothing."""
    return alerts.send_alerts(frequency=AlertFrequency.WEEKLY)


@shared_task(acks_late=True, time_limit=1800)
def roll_up_job_activity() -> int:
    """Nightly: yesterday's job views and applications into the impact figures' rollup. Safe to repeat."""
    return impact.roll_up_job_activity()
