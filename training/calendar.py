"""iCalendar (RFC 5545) files of a week's agenda and of a person's own sessions.

Times are written in the week's time zone (TZID, with its VTIMEZONE); UIDs are built from primary
keys, so that a calendar that imports the file again updates its events instead of doubling them.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from consortium import events

PRODID = "-//Career Consortium//Training weeks//EN"
UID_DOMAIN = "training.career-consortium"


def _calendar(name: str) -> Calendar:
    return events.calendar(prodid=PRODID, name=name)


def _organizer(week) -> vCalAddress:
    person = week.contact or week.created_by
    email = person.email if person else settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["cn"] = vText(person.full_name if person else week.host.name)
    return organizer


def _location(week, session=None) -> str:
    parts = [session.room if session else "", week.venue, week.city]
    return ", ".join(part for part in parts if part) or week.get_place_display()


def _session_event(session, request) -> Event:
    week = session.week
    starts, ends = week.session_bounds(session)
    event = Event()
    event.add("uid", f"session-{session.pk}@{UID_DOMAIN}")
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"{session.title} · {week.title}")
    event.add("location", _location(week, session))
    description = [week.host.name]
    if session.speaker:
        description.append(session.speaker)
    if session.module_id:
        description.append(f"{session.module.code} {session.module.title}")
    event.add("description", "\n".join(description))
    event.add("url", request.build_absolute_uri(week.get_absolute_url()))
    event.add("organizer", _organizer(week))
    _mark_cancelled(event, week)
    return event


def _mark_cancelled(event: Event, week) -> None:
    """A cancelled week's events stay in the file, cancelled, so that calendars drop them."""
    if week.status == "cancelled":
        event.add("status", "CANCELLED")


def _week_event(week, request) -> Event:
    event = events.all_day_event(
        uid=f"week-{week.pk}@{UID_DOMAIN}",
        starts_on=week.starts_on,
        ends_on=week.ends_on,
        summary=week.title,
        location=_location(week),
        url=request.build_absolute_uri(week.get_absolute_url()),
    )
    event.add("organizer", _organizer(week))
    _mark_cancelled(event, week)
    return event


def week_calendar(week, sessions, request) -> bytes:
    cal = _calendar(week.title)
    cal.add_component(_week_event(week, request))
    for session in sessions:
        session.week = week
        cal.add_component(_session_event(session, request))
    cal.add_missing_timezones()
    return cal.to_ical()


def sessions_calendar(sessions, request) -> bytes:
    cal = _calendar("My training sessions")
    for session in sessions:
        cal.add_component(_session_event(session, request))
    cal.add_missing_timezones()
    return cal.to_ical()
