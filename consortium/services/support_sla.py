"""The support desk's service levels: a first response within N working days of the target country,
where weekends and that country's public holidays do not count."""

import datetime

import holidays
from django.conf import settings


def add_working_days(start: datetime.datetime, days: int, country: str) -> datetime.datetime:
    """The moment `days` working days after `start` in `country`: the same time of day on the day
    reached by skipping weekends and public holidays (a request sent on Friday afternoon with three
    days is due on Wednesday afternoon)."""
    try:
        closed = holidays.country_holidays(country, years=range(start.year, start.year + 2))
    except NotImplementedError:
        closed = {}  # a country the package does not know: weekends only
    moment, left = start, days
    while left:
        moment += datetime.timedelta(days=1)
        if moment.weekday() < 5 and moment.date() not in closed:
            left -= 1
    return moment


def first_response_due(*, country: str, opened_at: datetime.datetime) -> datetime.datetime:
    return add_working_days(opened_at, settings.SUPPORT_FIRST_RESPONSE_WORKING_DAYS, country)
