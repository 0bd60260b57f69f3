"""schema.org EducationEvent for the public page of a week."""

from consortium import events

from .models import Place, WeekStatus

MODES = {Place.ON_SITE: events.OFFLINE, Place.HYBRID: events.MIXED, Place.ONLINE: events.ONLINE}


def education_event(week, request, summary) -> str:
    url = request.build_absolute_uri(week.get_absolute_url())
    host = {"@type": "CollegeOrUniversity", "name": week.host.name} | (
        {"url": week.host.website} if week.host.website else {}
    )
    place = {"name": week.venue or week.host.name, "city": week.city or week.host.city,
             "country_code": week.host.country.code}  # fmt: skip
    data = events.education_event(
        name=week.title,
        description=week.description,
        starts_on=week.starts_on,
        ends_on=week.ends_on,
        url=url,
        mode=MODES[week.place],
        place=place,
        language=week.language,
        organizer=host,
        capacity=summary.capacity,
        cancelled=week.status == WeekStatus.CANCELLED,
        remainingAttendeeCapacity=summary.remaining,
        educationalLevel="Professional development",
        audience={"@type": "EducationalAudience", "educationalRole": "career adviser"},
        offers=events.offer(
            url=url,
            available=bool(summary.remaining),
            valid_from=week.registration_opens_at,
            valid_through=week.registration_closes_at,
            price=0,
            priceCurrency="EUR",
        ),
    )
    return events.json_ld(data)
