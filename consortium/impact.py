"""The consortium's impact figures over a period: the headline counters and country breakdowns the
apps register (consortium.registry), and the core's own support-desk and survey figures.

Each figure is one aggregate query, never rows loaded into Python. An institution's page holds its own
figures next to the consortium's, nothing about another institution; the consortium's page adds the
matrix of every institution by country."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, DateField, DateTimeField, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from .models import Institution, SupportBreach, SupportRequest, SurveyAnswer
from .registry import (
    IMPACT_BREAKDOWNS,
    IMPACT_COUNTERS,
    IMPACT_SERIES,
    register_impact_counter,
    register_impact_series,
)

# Countries drawn in a breakdown's bar chart; the table below it lists them all.
CHART_COUNTRIES = 12


@dataclass(frozen=True)
class Period:
    """Days from `start` to `end`, both included. Days are UTC days whatever the viewer's time zone, as
    the nightly rollups' are: a figure would otherwise change when the rollup takes over its days."""

    start: datetime.date
    end: datetime.date

    @property
    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        def midnight(day):
            return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)

        return midnight(self.start), midnight(self.end + datetime.timedelta(days=1))

    def months(self) -> list[datetime.date]:
        """The first day of each month the period touches, the first and last perhaps in part."""
        month, months = self.start.replace(day=1), []
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


# Month by month, for the series the apps register.


def by_month(queryset, field: str, total=None):
    """The queryset's rows grouped by the month of `field` (a date, or a time whose UTC month counts, as
    the periods' days are UTC days) as (month, n) pairs, still a query: several may be joined by UNION
    ALL and added up by monthly()."""
    times = isinstance(queryset.model._meta.get_field(field), DateTimeField)
    month = TruncMonth(field, output_field=DateField(), tzinfo=datetime.UTC if times else None)
    return queryset.annotate(month=month).values_list("month").annotate(n=total or Count("pk")).order_by()


def monthly(rows) -> dict[datetime.date, int]:
    """{first day of the month: n} from (month, n) rows, a month in several rows added up."""
    totals = {}
    for month, n in rows:
        # SQLite hands some truncated dates back as times at midnight.
        day = month.date() if isinstance(month, datetime.datetime) else month
        totals[day] = totals.get(day, 0) + n
    return totals


# The support desk's headline counters, registered like any app's.


def _asked(start, end, institution_id):
    asked = SupportRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    return asked if institution_id is None else asked.filter(requesting_institution_id=institution_id)


def _answered(start, end, institution_id):
    answered = SupportRequest.objects.filter(first_response_at__gte=start, first_response_at__lt=end)
    return answered if institution_id is None else answered.filter(target_institution_id=institution_id)


def requests_asked(start, end, institution_id):
    return _asked(start, end, institution_id).count()


def requests_asked_by_month(start, end, institution_id):
    return monthly(by_month(_asked(start, end, institution_id), "created_at"))


def requests_answered(start, end, institution_id):
    """Requests whose first response came in the period, counted for the institution addressed."""
    return _answered(start, end, institution_id).count()


def requests_answered_by_month(start, end, institution_id):
    return monthly(by_month(_answered(start, end, institution_id), "first_response_at"))


def sla_breaches(start, end, institution_id):
    """First responses due in the period that came later than due, counted for the institution addressed."""
    breaches = SupportBreach.objects.filter(due_at__gte=start, due_at__lt=end)
    return breaches.count() if institution_id is None else breaches.filter(institution_id=institution_id).count()


def register_impact_figures():
    register_impact_counter("support.asked", _("Support requests asked"), requests_asked, order=20)
    register_impact_counter("support.answered", _("Support requests answered"), requests_answered, order=21)
    register_impact_counter("support.breaches", _("Support responses later than due"), sla_breaches, order=22)
    register_impact_series("support.asked", _("Support requests asked"), requests_asked_by_month, order=20)
    register_impact_series("support.answered", _("Support requests answered"), requests_answered_by_month, order=21)


# The figures of a page.

# An institution's page shows a consortium figure only where at least this many OTHER institutions make
# it up: with one, the consortium's figure less the institution's own would be that one's exact figure.
MIN_OTHER_CONTRIBUTORS = 2
# Survey means from fewer responses are not shown: one response is one person's answer to an anonymous
# survey. An institution's page also needs this many events behind a mean, or it would be the score of
# one (perhaps another member's) event.
MIN_SURVEY_RESPONSES = 5
MIN_SURVEY_EVENTS = 2


def enough_other_institutions(institution: Institution | None) -> bool:
    """Whether the consortium has enough institutions besides this one for its headline and monthly
    figures to hide each of theirs (one query; always on the consortium's page). Counters say nothing
    about who contributed, so the members are counted, the inactive ones too: their past activity counts."""
    if institution is None:
        return True
    return Institution.objects.exclude(pk=institution.pk).count() >= MIN_OTHER_CONTRIBUTORS


def headline(period: Period, institution: Institution | None, *, consortium_shown: bool = True) -> list[dict]:
    """Every registered counter, for the institution (None on the consortium's page) and the consortium,
    the consortium's None unless `consortium_shown` (_enough_other_institutions)."""
    start, end = period.bounds
    return [
        {
            "name": counter.name,
            "label": counter.label,
            "institution": counter.count(start, end, institution.pk) if institution else None,
            "consortium": counter.count(start, end, None) if consortium_shown else None,
        }
        for counter in sorted(IMPACT_COUNTERS.values(), key=lambda c: (c.order, c.name))
    ]


def trends(period: Period, institution: Institution | None, *, consortium_shown: bool = True) -> list[dict]:
    """Every registered series over the period's months, for the institution and the consortium: lists
    of counts, a month without any counted as 0; the consortium's None unless `consortium_shown`."""
    start, end = period.bounds
    months = period.months()
    result = []
    for series in sorted(IMPACT_SERIES.values(), key=lambda s: (s.order, s.name)):
        own = series.series(start, end, institution.pk) if institution else None
        consortium = series.series(start, end, None) if consortium_shown else None
        result.append(
            {
                "name": series.name,
                "label": series.label,
                "months": months,
                "institution": [own.get(month, 0) for month in months] if own is not None else None,
                "consortium": [consortium.get(month, 0) for month in months] if consortium is not None else None,
            }
        )
    return result


def support_desk(period: Period, institution: Institution | None) -> dict:
    """Requests received in the period (by the institution, or by anyone): how many, how many answered,
    the average time to a first response, how many breached the deadline, and the satisfaction."""
    start, end = period.bounds
    received = SupportRequest.objects.filter(created_at__gte=start, created_at__lt=end)
    if institution is not None:
        received = received.filter(target_institution=institution)
    waited = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    return received.aggregate(
        received=Count("pk"),
        answered=Count("pk", filter=Q(first_response_at__isnull=False)),
        first_response=Avg(waited, filter=Q(first_response_at__isnull=False)),
        breached=Count("breach"),
        satisfaction=Avg("rating"),
        ratings=Count("rating"),
    )


def survey_scores(period: Period, *, partner: bool = False) -> list[dict]:
    """Average answers to the scale questions of the surveys that closed in the period, per kind of
    event surveyed (training weeks, say) and scale, consortium-wide: anonymous answers name no
    institution. Only means of MIN_SURVEY_RESPONSES responses or more; for a partner admin's page
    (`partner`) only those of MIN_SURVEY_EVENTS events or more."""
    start, end = period.bounds
    rows = (
        SurveyAnswer.objects.filter(
            number__isnull=False, response__survey__closes_at__gte=start, response__survey__closes_at__lt=end
        )
        .values_list("response__survey__event_type", "question__kind")
        .annotate(
            mean=Avg("number"),
            responses=Count("response", distinct=True),
            events=Count("response__survey__event_id", distinct=True),
        )
        .filter(responses__gte=MIN_SURVEY_RESPONSES, events__gte=MIN_SURVEY_EVENTS if partner else 1)
        .order_by("response__survey__event_type", "question__kind")
    )
    scores = []
    for event_type, kind, mean, responses, _events in rows:
        content_type = ContentType.objects.get_for_id(event_type)  # cached after the first request
        scores.append(
            {
                "event": content_type.model_class()._meta.verbose_name_plural,
                "event_model": f"{content_type.app_label}.{content_type.model}",
                "kind": kind,
                "mean": mean,
                "responses": responses,
            }
        )
    return scores


def breakdowns(period: Period, institution: Institution | None) -> list[dict]:
    """Each registered breakdown by country: the institution's and the consortium's counts, countries
    ordered by the institution's own counts on its page (by the consortium's on the consortium's page);
    with a matrix where the breakdown has one.

    On an institution's page, the consortium's count of a country is None where fewer than
    MIN_OTHER_CONTRIBUTORS other institutions make it up (counted from the breakdown's pairs; a breakdown
    without pairs cannot tell, so none is shown), and a country with neither figure is left out."""
    start, end = period.bounds
    result = []
    for breakdown in sorted(IMPACT_BREAKDOWNS.values(), key=lambda b: (b.order, b.name)):
        pairs = breakdown.pairs(start, end) if breakdown.pairs is not None else None
        if pairs is not None:
            consortium = _country_totals(pairs)
            own = _country_totals(p for p in pairs if p[0] == institution.pk) if institution else None
        else:
            consortium = breakdown.count(start, end, None)
            own = breakdown.count(start, end, institution.pk) if institution else None
        shown, total = dict(consortium), sum(consortium.values())
        if institution is not None:
            others = _other_contributors(pairs or [], institution.pk)
            shown = {
                code: n if len(others.get(code, ())) >= MIN_OTHER_CONTRIBUTORS else None for code, n in shown.items()
            }
            shown = {code: n for code, n in shown.items() if n is not None or own.get(code)}
            everyone = set().union(*others.values()) if others else set()
            total = total if len(everyone) >= MIN_OTHER_CONTRIBUTORS else None
            countries = sorted(shown, key=lambda code: (-own.get(code, 0), -(shown[code] or 0), code))
        else:
            countries = sorted(shown, key=lambda code: (-shown[code], code))
        item = {
            "name": breakdown.name,
            "label": breakdown.label,
            "countries": countries,
            "rows": [(code, own.get(code, 0) if own is not None else None, shown[code]) for code in countries],
            "consortium_total": total,
            "institution_total": sum(own.values()) if own is not None else None,
            "matrix": None,
        }
        if breakdown.matrix:
            item["matrix"] = _matrix(pairs, institution, own, shown, countries)
        result.append(item)
    return result


def _country_totals(pairs) -> dict[str, int]:
    totals = {}
    for _member, code, n in pairs:
        totals[code] = totals.get(code, 0) + n
    return totals


def _other_contributors(pairs, institution_id) -> dict[str, set[int]]:
    """{country: the other institutions with a count there}."""
    others = {}
    for member, code, n in pairs:
        if n and member != institution_id:
            others.setdefault(code, set()).add(member)
    return others


def _matrix(pairs, institution, own, consortium, countries) -> dict:
    """Institutions (rows) by countries (columns). An institution's page has its own row only: the
    consortium's row of totals is the aggregate it may see."""
    if institution is not None:
        rows = [(institution, [own.get(code, 0) for code in countries])]
    else:
        counts = {(member, code): n for member, code, n in pairs}
        involved = {member for member, _code in counts}
        members = [i for i in Institution.objects.order_by("name") if i.is_active or i.pk in involved]
        rows = [(member, [counts.get((member.pk, code), 0) for code in countries]) for member in members]
    return {"rows": rows, "totals": [consortium[code] for code in countries]}
