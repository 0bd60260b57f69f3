"""Summer schools' privacy provider: a student's applications (with the follow-up form, their team
and the completion the organisers recorded), their alumni profile and the ventures they are named
as founder of, to export and to erase.

The reviewers' comments and scores are left out of the export: they are the organisers' internal
assessment notes about the applicant, written to compare applicants, not data the student gave or
uses; the decision they led to (the status) is exported.
"""

from consortium.models import LIVE_SEAT_STATUSES
from consortium.services import seats as seat_service

from .models import AlumniProfile, Application
from .services.alumni import PROFILE_FIELDS


def export_summerschool_data(user) -> dict:
    applications = (
        Application.objects.filter(student=user)
        .select_related("edition", "follow_up", "team__challenge")
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
                "team": {"name": str(a.team), "challenge": a.team.challenge.title if a.team.challenge else None}
                if a.team
                else None,
                "completed": a.completed,
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
    profile = AlumniProfile.objects.filter(user=user).first()
    return {
        "applications": rows,
        "alumni_profile": {name: str(getattr(profile, name)) for name in PROFILE_FIELDS} if profile else None,
        "ventures_founded": [
            {"name": v.name, "edition": v.edition.title, "founded_year": v.founded_year, "website": v.website}
            for v in user.summer_ventures.select_related("edition").order_by("founded_year", "pk")
        ],
    }


def erase_summerschool_data(user) -> None:
    """Delete the student's applications and their CV files; a seat held or waited for is released
    first, so that it goes to the next in line (not once the school has ended)."""
    for application in Application.objects.filter(student=user).select_related("seat", "edition"):
        if application.seat_id and application.seat.status in LIVE_SEAT_STATUSES:
            edition = application.edition
            seat_service.release_seat(seat=application.seat, refill=edition.local_today() <= edition.ends_on)
        if application.cv:
            application.cv.delete(save=False)
    Application.objects.filter(student=user).delete()
    # A venture is the consortium's record and stays; only the person's name leaves it.
    AlumniProfile.objects.filter(user=user).delete()
    user.summer_ventures.clear()
