"""Training's privacy provider: a person's registrations and attendance, to export and to erase."""

from consortium.services import seats as seat_service

from .models import LIVE_SEAT_STATUSES, Attendance, Registration
from .services import week_is_over


def export_training_data(user) -> dict:
    registrations = Registration.objects.filter(person=user).select_related("week", "seat").order_by("created_at")
    return {
        "registrations": [
            {
                "week": r.week.title,
                "starts_on": r.week.starts_on,
                "status": r.status,
                "seat": r.seat_status,
                "motivation": r.motivation,
                "created_at": r.created_at,
            }
            for r in registrations
        ],
        "attendance": list(
            Attendance.objects.filter(registration__person=user)
            .order_by("session__day", "session__starts_at")
            .values("session__week__title", "session__day", "session__title", "session__module__code")
        ),
    }


def erase_training_data(user) -> None:
    """Delete the person's registrations and attendance; a seat they held or waited for is released
    first, so that it goes to the next in line as on any cancellation (not once the week has ended)."""
    for registration in Registration.objects.filter(person=user).select_related("seat", "week"):
        if registration.seat_status in LIVE_SEAT_STATUSES:
            seat_service.release_seat(seat=registration.seat, refill=not week_is_over(registration.week))
    Registration.objects.filter(person=user).delete()
