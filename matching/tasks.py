import datetime

from celery import shared_task
from django.utils import timezone

from consortium.models import User

from . import services
from .models import MatchingProfile


@shared_task(acks_late=True, soft_time_limit=100, time_limit=120)
def recompute_recommendations(user_id: int, neighbours: bool = False) -> int:
    """A person's stored recommendations, fresh; with `neighbours`, also those of the people they
    would meet, as a changed profile changes what those people are shown. Safe to run twice."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return 0
    kept = services.recompute_recommendations(user=user)
    if neighbours:
        for other in services.neighbours(user):
            recompute_recommendations.delay(other)
    return len(kept)


@shared_task(acks_late=True, soft_time_limit=3300, time_limit=3600)
def refresh_recommendations(batch: int = 50_000) -> int:
    """Nightly: recompute the oldest stored recommendations, so that new people and offers reach
    everyone within a day even when their own profile did not change (50,000 people take about
    25 minutes). Each person's list is its own transaction: a run cut short keeps what it did,
    and the next night starts with the oldest."""
    stale = timezone.now() - datetime.timedelta(hours=20)
    users = (
        MatchingProfile.objects.filter(user__is_active=True)
        .exclude(recommended_at__gt=stale)
        .order_by("recommended_at")
        .values_list("user_id", flat=True)[:batch]
    )
    done = 0
    for user in User.objects.filter(pk__in=list(users)):
        services.recompute_recommendations(user=user)
        done += 1
    return done


@shared_task(acks_late=True, time_limit=600)
def remind_and_expire_introductions() -> dict:
    """Reminders after 7 days, expiry after 14; each once, however often this runs."""
    return services.remind_and_expire_introductions()


@shared_task(acks_late=True, time_limit=600)
def remind_and_retire_offers() -> dict:
    """Offer owners reminded a week before expiry; expired offers leave the index."""
    return services.remind_and_retire_offers()
