"""The job board's impact figures: jobs posted, viewed and applied to, by country, and the mobility
flow from each institution's students to the countries of the jobs they apply to.

Views and applications are counted from a nightly rollup (JobActivityDay) for the days it holds and
from the live tables after them, so a figure over a year reads a few thousand rolled-up rows rather
than every application. Days are UTC days.

An application to a job outside the country of the student's institution is outbound. One to a job
in that country is staying on when the student is an international student there: their home country
(User.home_country) is set and is another; a student who gave none counts as outbound or local only.
The rollup counts staying on as a kind of its own, with the home countries of the night it ran."""

import datetime
from collections import Counter

from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from consortium.daycounters import bump_day_counter, is_reader
from consortium.impact import by_month, monthly

from .models import Application, Job, JobActivityDay, JobActivityKind, JobStatus, JobViewDay

DAY = datetime.timedelta(days=1)


def record_job_view(request, job: Job) -> None:
    """Count a published job's page being opened by a reader (consortium.daycounters.is_reader), except
    by its poster. A job synced through the API, or whose poster was erased, has no poster: every signed-in
    and anonymous reader counts."""
    if job.status != JobStatus.PUBLISHED or not is_reader(request):
        return
    if request.user.is_authenticated and request.user.pk == job.posted_by_id:
        return
    bump_day_counter(JobViewDay, job=job.pk)


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)


def _rolled_up_until() -> datetime.date | None:
    """The first day the rollup does not hold yet (an index-only query)."""
    last = JobActivityDay.objects.aggregate(last=Max("day"))["last"]
    return last + DAY if last else None


# Where each kind comes from live, grouped by (institution, country of the job).
LIVE = {
    JobActivityKind.VIEWED: ("job__institution_id", "job__country", Sum("count")),
    JobActivityKind.APPLIED: ("applicant__institution_id", "job__country", Count("pk")),
    JobActivityKind.STAYED_ON: ("applicant__institution_id", "job__country", Count("pk")),
}


def _live(kind, start, end):
    """The live rows of [start, end), two midnights."""
    if kind == JobActivityKind.VIEWED:
        return JobViewDay.objects.filter(day__gte=start.date(), day__lt=end.date())
    applications = Application.objects.filter(
        created_at__gte=start, created_at__lt=end, applicant__institution__isnull=False
    )
    return _staying_on(applications) if kind == JobActivityKind.STAYED_ON else applications


def _activity_parts(kind, start, end, institution_id, *, outbound=False) -> list:
    """Aggregate queries of (institution id, country, count) of views or applications in [start, end):
    the rolled-up days and the live rest, to be joined by UNION ALL. With `outbound`, only those to
    jobs outside the institution's country."""
    until = _rolled_up_until()
    parts = []
    if until is not None and start.date() < min(end.date(), until):
        rolled = JobActivityDay.objects.filter(kind=kind, day__gte=start.date(), day__lt=min(end.date(), until))
        if institution_id is not None:
            rolled = rolled.filter(institution_id=institution_id)
        if outbound:
            rolled = rolled.exclude(country=F("institution__country"))
        parts.append(rolled.values_list("institution_id", "country").annotate(n=Sum("count")).order_by())
    live_start = max(start, _midnight(until)) if until is not None else start
    if live_start < end:
        institution, country, total = LIVE[kind]
        live = _live(kind, live_start, end)
        if institution_id is not None:
            live = live.filter(**{institution: institution_id})
        if outbound:
            live = live.exclude(job__country=F("applicant__institution__country"))
        parts.append(live.values_list(institution, country).annotate(n=total).order_by())
    return parts


def _staying_on(applications):
    """Those of the applications made by international students to jobs in their institution's country."""
    return applications.filter(job__country=F("applicant__institution__country")).exclude(
        Q(applicant__home_country="") | Q(applicant__home_country=F("applicant__institution__country"))
    )


def _sum(parts) -> Counter:
    """{(institution id, country): count} added up from one UNION ALL query of the parts."""
    counts = Counter()
    if not parts:
        return counts
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for member, code, n in query:
        counts[member, code] += n
    return counts


def _activity(kind, start, end, institution_id, *, outbound=False) -> Counter:
    return _sum(_activity_parts(kind, start, end, institution_id, outbound=outbound))


def _mobility(start, end, institution_id) -> Counter:
    """Outbound and staying-on applications, {(institution id, country): count}, in one query."""
    return _sum(
        [
            *_activity_parts(JobActivityKind.APPLIED, start, end, institution_id, outbound=True),
            *_activity_parts(JobActivityKind.STAYED_ON, start, end, institution_id),
        ]
    )


def _by_country(counts: Counter) -> dict[str, int]:
    totals = Counter()
    for (_member, code), n in counts.items():
        totals[code] += n
    return {code: n for code, n in totals.items() if n}


def _posted(start, end, institution_id):
    jobs = Job.objects.filter(published_at__gte=start, published_at__lt=end)
    return jobs if institution_id is None else jobs.filter(institution_id=institution_id)


def jobs_posted(start, end, institution_id):
    return _posted(start, end, institution_id).count()


def job_views(start, end, institution_id):
    return sum(_activity(JobActivityKind.VIEWED, start, end, institution_id).values())


def job_applications(start, end, institution_id):
    """Applications made in the period, counted for the applicant's institution."""
    return sum(_activity(JobActivityKind.APPLIED, start, end, institution_id).values())


def applications_by_month(start, end, institution_id):
    """Applications month by month (UTC months, as the rollup's days), rolled-up and live in one query."""
    until = _rolled_up_until()
    parts = []
    if until is not None and start.date() < min(end.date(), until):
        rolled = JobActivityDay.objects.filter(
            kind=JobActivityKind.APPLIED, day__gte=start.date(), day__lt=min(end.date(), until)
        )
        if institution_id is not None:
            rolled = rolled.filter(institution_id=institution_id)
        parts.append(by_month(rolled, "day", Sum("count")))
    live_start = max(start, _midnight(until)) if until is not None else start
    if live_start < end:
        live = _live(JobActivityKind.APPLIED, live_start, end)
        if institution_id is not None:
            live = live.filter(applicant__institution_id=institution_id)
        parts.append(by_month(live, "created_at"))
    if not parts:
        return {}
    return monthly(parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0])


def applications_outbound(start, end, institution_id):
    return sum(_activity(JobActivityKind.APPLIED, start, end, institution_id, outbound=True).values())


def applications_staying_on(start, end, institution_id):
    return sum(_activity(JobActivityKind.STAYED_ON, start, end, institution_id).values())


def jobs_posted_by_month(start, end, institution_id):
    return monthly(by_month(_posted(start, end, institution_id), "published_at"))


def jobs_posted_by_country(start, end, institution_id):
    rows = _posted(start, end, institution_id).values_list("country").annotate(n=Count("pk")).order_by()
    return dict(rows)


def job_views_by_country(start, end, institution_id):
    return _by_country(_activity(JobActivityKind.VIEWED, start, end, institution_id))


def applications_by_country(start, end, institution_id):
    return _by_country(_activity(JobActivityKind.APPLIED, start, end, institution_id))


def mobility_by_country(start, end, institution_id):
    return _by_country(_mobility(start, end, institution_id))


def _pairs(counts: Counter) -> list[tuple[int, str, int]]:
    return [(member, code, n) for (member, code), n in counts.items() if n]


def jobs_posted_pairs(start, end):
    """(institution posting, country of the job, jobs posted)."""
    rows = _posted(start, end, None).values_list("institution_id", "country").annotate(n=Count("pk")).order_by()
    return list(rows)


def job_views_pairs(start, end):
    """(institution of the job, its country, views)."""
    return _pairs(_activity(JobActivityKind.VIEWED, start, end, None))


def applications_pairs(start, end):
    """(institution of the applicant, country of the job, applications)."""
    return _pairs(_activity(JobActivityKind.APPLIED, start, end, None))


def mobility_flows(start, end):
    """(institution of the applicant, country of the job, applications): the mobility flow matrix, in
    which a cell of the institution's own country holds its international students staying on."""
    return _pairs(_mobility(start, end, None))


def _first_day_to_roll_up(until: datetime.date) -> datetime.date:
    rolled_until = _rolled_up_until()
    if rolled_until is not None:
        return rolled_until
    first_application = Application.objects.aggregate(first=Min("created_at"))["first"]
    first_view = JobViewDay.objects.aggregate(first=Min("day"))["first"]
    days = [day for day in (first_application and first_application.date(), first_view) if day]
    return min(days, default=until)


def _roll_up_days(first: datetime.date, until: datetime.date) -> int:
    """Write the rollup rows of the days [first, until); returns how many."""
    applications = Application.objects.filter(
        created_at__gte=_midnight(first), created_at__lt=_midnight(until), applicant__institution__isnull=False
    )

    def by_day(applications):
        day = TruncDate("created_at", tzinfo=datetime.UTC)
        grouped = applications.annotate(day=day).values_list("day", "applicant__institution_id", "job__country")
        return grouped.annotate(n=Count("pk")).order_by()

    viewed = (
        JobViewDay.objects.filter(day__gte=first, day__lt=until)
        .values_list("day", "job__institution_id", "job__country")
        .annotate(n=Sum("count"))
        .order_by()
    )
    rows = [
        JobActivityDay(day=day, kind=kind, institution_id=member, country=code, count=n)
        for kind, query in (
            (JobActivityKind.APPLIED, by_day(applications)),
            (JobActivityKind.STAYED_ON, by_day(_staying_on(applications))),
            (JobActivityKind.VIEWED, viewed),
        )
        for day, member, code, n in query
    ]
    JobActivityDay.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["day", "kind", "institution", "country"],
        update_fields=["count"],
    )
    return len(rows)


@transaction.atomic
def roll_up_job_activity(*, until: datetime.date | None = None) -> int:
    """Roll the days from the first not rolled up yet to the day before `until` (today, UTC, at the
    latest: a day still running would be marked done with half its views) into JobActivityDay; returns
    the rows written. Safe to repeat: a day already rolled up is not read again, and rewriting one would
    write the same counts. A month at a time, so that the first run over years of history holds one
    month's rows in memory."""
    today = timezone.now().astimezone(datetime.UTC).date()
    until = min(until or today, today)
    first = _first_day_to_roll_up(until)
    written = 0
    while first < until:
        month_end = min((first.replace(day=1) + datetime.timedelta(days=32)).replace(day=1), until)
        written += _roll_up_days(first, month_end)
        first = month_end
    return written


def register_impact_figures():
    from django.utils.translation import gettext_lazy as _

    from consortium.registry import register_impact_breakdown, register_impact_counter, register_impact_series

    register_impact_counter("jobs.posted", _("Jobs posted"), jobs_posted, order=10)
    register_impact_counter("jobs.views", _("Job page views"), job_views, order=11)
    register_impact_counter("jobs.applications", _("Job applications by students"), job_applications, order=12)
    register_impact_counter(
        "jobs.applications_outbound",
        _("Applications to jobs abroad (outbound)"),
        applications_outbound,
        order=13,
    )
    register_impact_counter(
        "jobs.applications_staying_on",
        _("Applications of international students to jobs in their host country (staying on)"),
        applications_staying_on,
        order=14,
    )
    register_impact_series("jobs.posted", _("Jobs posted"), jobs_posted_by_month, order=10)
    register_impact_series("jobs.applications", _("Job applications by students"), applications_by_month, order=12)
    register_impact_breakdown(
        "jobs.posted", _("Jobs posted"), jobs_posted_by_country, pairs=jobs_posted_pairs, order=10
    )
    register_impact_breakdown("jobs.views", _("Job page views"), job_views_by_country, pairs=job_views_pairs, order=11)
    register_impact_breakdown(
        "jobs.applications",
        _("Applications by students"),
        applications_by_country,
        pairs=applications_pairs,
        order=12,
    )
    register_impact_breakdown(
        "jobs.mobility",
        _("Outbound and staying-on applications"),
        mobility_by_country,
        pairs=mobility_flows,
        order=13,
        matrix=True,
    )
