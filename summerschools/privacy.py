"""Summer schools' privacy provider: a student's applications (with the follow-up form), to export and to erase."""

from django.utils import timezone

from consortium.models import LIVE_SEAT_STATUSES
from consortium.services import seats as seat_service

from .models import Application


def export_summerschool_data(user) -> dict:
    applications = (
        Application.objects.filter(student=user)
        .select_related("edition", "follow_up")
        .prefetch_related("preferred_challenges")
        .order_by("created_at")
    )
    rows = []
    for a in applications:
        follow_up = getattr(a, "follow_up", None)
        rows.append(
            {
                "edition": a.edition.title,
                "starts_on": a.edition.starts_on,
                "status": a.status,
                "motivation": a.motivation,
                "languages": a.languages,
                "field_of_study": a.field_of_study,
                "preferred_challenges": [c.title for c in a.preferred_challenges.all()],
                "follow_up": {
                    "arrival": follow_up.arrival,
                    "dietary_needs": follow_up.dietary_needs,
                    "emergency_contact": follow_up.emergency_contact,
                }
                if follow_up
                else None,
                "created_at": a.created_at,
            }
        )
    return {"applications": rows}


def erase_summerschool_data(user) -> None:
    """Delete the student's applications and their CV files; a seat held or waited for is released
    first, so that it goes to the next in line (not once the school has ended)."""
    today = timezone.localdate()
    for application in Application.objects.filter(student=user).select_related("seat", "edition"):
        if application.seat_id and application.seat.status in LIVE_SEAT_STATUSES:
            seat_service.release_seat(seat=application.seat, refill=application.edition.ends_on >= today)
        if application.cv:
            application.cv.delete(save=False)
    Application.objects.filter(student=user).delete()
