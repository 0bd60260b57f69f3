from celery import shared_task

from .services import alumni, selection


@shared_task(acks_late=True, time_limit=300)
def delete_old_follow_ups():
    """Nightly: the follow-up forms (dietary needs, emergency contacts) are kept 30 days after a school ends."""
    return selection.delete_old_follow_ups()


@shared_task(acks_late=True, time_limit=300)
def invite_alumni():
    """Daily: the participants of a school that has just ended are invited to the alumni directory."""
    return alumni.invite_alumni()
