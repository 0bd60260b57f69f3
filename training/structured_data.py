"""schema.org EducationEvent for the public page of a week."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from .models import Place, WeekStatus

# What may not appear raw inside a <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
ATTENDANCE_MODES = {
    Place.ON_SITE: "https://schema.org/OfflineEventAttendanceMode",
    Place.ONLINE: "https://schema.org/OnlineEventAttendanceMode",
    Place.HYBRID: "https://schema.org/MixedEventAttendanceMode",
}


def education_event(week, request, summary) -> str:
    url = request.build_absolute_uri(week.get_absolute_url())
    host = {"@type": "CollegeOrUniversity", "name": week.host.name} | (
        {"url": week.host.website} if week.host.website else {}
    )
    address = {"@type": "PostalAddress", "addressLocality": week.city or week.host.city,
               "addressCountry": week.host.country.code}  # fmt: skip
    place = {"@type": "Place", "name": week.venue or week.host.name, "address": address}
    data = {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "name": week.title,
        "description": week.description,
        "startDate": week.starts_on,
        "endDate": week.ends_on,
        "eventStatus": "https://schema.org/EventCancelled"
        if week.status == WeekStatus.CANCELLED
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": ATTENDANCE_MODES[week.place],
        "location": place
        if week.place == Place.ON_SITE
        else [place, {"@type": "VirtualLocation", "url": url}]
        if week.place == Place.HYBRID
        else {"@type": "VirtualLocation", "url": url},
        "inLanguage": week.language,
        "organizer": host,
        "url": url,
        "maximumAttendeeCapacity": summary.capacity,
        "remainingAttendeeCapacity": summary.remaining,
        "educationalLevel": "Professional development",
        "audience": {"@type": "EducationalAudience", "educationalRole": "career adviser"},
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": 0,
            "priceCurrency": "EUR",
            "availability": "https://schema.org/InStock" if summary.remaining else "https://schema.org/SoldOut",
            "validFrom": week.registration_opens_at,
            "validThrough": week.registration_closes_at,
        },
    }
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped above
