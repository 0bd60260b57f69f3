from celery import shared_task

from .services import country_guides


@shared_task(acks_late=True, time_limit=600)
def remind_stale_guide_sections() -> int:
    """Monthly: remind maintainers of the sections nobody reviewed for a year. A second run in the
    same month sends nothing (one notification per guide, maintainer and month)."""
    return country_guides.remind_stale_sections()
