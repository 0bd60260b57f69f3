"""What every event of the consortium (training weeks, summer schools) publishes about itself:
schema.org EducationEvent JSON-LD for its public page and iCalendar (RFC 5545) files.

The apps say what their event is (its place, audience, offer); this module knows the formats.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.utils.safestring import mark_safe
from icalendar import Calendar, Event

# What may not appear raw inside a <script> element.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

# How people attend: in person, both, or online only.
OFFLINE, MIXED, ONLINE = "offline", "mixed", "online"
ATTENDANCE_MODES = {
    OFFLINE: "https://schema.org/OfflineEventAttendanceMode",
    MIXED: "https://schema.org/MixedEventAttendanceMode",
    ONLINE: "https://schema.org/OnlineEventAttendanceMode",
}


# schema.org


def location(mode: str, *, name: str, city: str, country_code: str, url: str) -> dict | list:
    """The event's Place, its VirtualLocation (the event's own page), or both."""
    address = {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country_code}
    place = {"@type": "Place", "name": name, "address": address}
    virtual = {"@type": "VirtualLocation", "url": url}
    return {OFFLINE: place, MIXED: [place, virtual], ONLINE: virtual}[mode]


def education_event(
    *,
    name: str,
    description: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    url: str,
    mode: str,
    place: dict,
    language: str,
    organizer: dict | list,
    capacity: int,
    cancelled: bool = False,
    **extra,
) -> dict:
    """A schema.org EducationEvent; `extra` adds or overrides properties (audience, offers...).
    `place` holds location()'s keywords but the mode and the url."""
    return {
        "@context": "https://schema.org",
        "@type": "EducationEvent",
        "name": name,
        "description": description,
        "startDate": starts_on,
        "endDate": ends_on,
        "eventStatus": "https://schema.org/EventCancelled" if cancelled else "https://schema.org/EventScheduled",
        "eventAttendanceMode": ATTENDANCE_MODES[mode],
        "location": location(mode, url=url, **place),
        "inLanguage": language,
        "organizer": organizer,
        "url": url,
        "maximumAttendeeCapacity": capacity,
        **extra,
    }


def offer(*, url: str, available: bool, valid_from, valid_through, **extra) -> dict:
    return {
        "@type": "Offer",
        "url": url,
        "availability": "https://schema.org/InStock" if available else "https://schema.org/SoldOut",
        "validFrom": valid_from,
        "validThrough": valid_through,
        **extra,
    }


def json_ld(data: dict) -> str:
    """`data` as JSON escaped for a <script type="application/ld+json"> element, safe to print."""
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder).translate(SCRIPT_ESCAPES))  # noqa: S308 - escaped


# iCalendar


def calendar(*, prodid: str, name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def all_day_event(
    *, uid: str, starts_on: datetime.date, ends_on: datetime.date, summary: str, location: str, url: str
) -> Event:
    """An event over whole days; its UID (stable, from a primary key) lets a calendar that imports
    the file again update the event instead of doubling it."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts_on)
    event.add("dtend", ends_on + datetime.timedelta(days=1))  # DTEND of a date is exclusive
    event.add("summary", summary)
    event.add("location", location)
    event.add("url", url)
    return event


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
