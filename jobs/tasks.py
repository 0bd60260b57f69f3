from celery import shared_task

from . import services


@shared_task(acks_late=True, time_limit=600)
def expire_and_remind() -> dict:
    """Daily: expire jobs past their deadline and remind posters three days before. Safe to repeat."""
    return {"expired": len(services.expire_jobs()), "reminded": services.remind_deadlines()}
