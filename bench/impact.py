"""Benchmark of the impact pages on PostgreSQL: the consortium's page and one institution's, at
50,000 users with a year of history and a busy last week.

    createdb -h 127.0.0.1 -U postgres consortium_bench_impact
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench_impact \\
        .venv/bin/python bench/impact.py --users 50000

Seeds the database named in DATABASE_URL (reused between runs) set-based: one row of each kind made
through the ORM, then copied by INSERT … SELECT over generate_series. Reports the median server time
and the SQL queries of each page for the last 12 months (the default period) and for last week, and
each figure's own median, slowest first. Not part of the test suite.
"""

import argparse
import datetime
import statistics
import sys
import time

from benchenv import start_django

start_django()

from allauth.mfa.models import Authenticator  # noqa: E402
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret  # noqa: E402
from django.db import ProgrammingError, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from consortium import impact  # noqa: E402
from consortium.models import Company, Institution, Role, RoleAssignment, SupportRequest, User  # noqa: E402
from consortium.registry import IMPACT_BREAKDOWNS, IMPACT_COUNTERS, IMPACT_SERIES  # noqa: E402
from consortium.services.seats import create_seat_plan  # noqa: E402
from guides.models import CountryGuide, GuideEdition, GuideReadDay  # noqa: E402
from jobs.impact import roll_up_job_activity  # noqa: E402
from jobs.models import Application, Job, JobStatus, JobViewDay  # noqa: E402
from matching.models import Introduction  # noqa: E402
from summerschools.models import Application as SummerApplication  # noqa: E402
from summerschools.models import Edition  # noqa: E402
from training.models import Registration, TrainingWeek  # noqa: E402

COUNTRIES = ["ES", "IT", "GB", "FR", "DE", "NL", "PL", "PT", "SE", "AT", "BE", "IE"]
COUNTRY_ARRAY = "(ARRAY[" + ",".join(f"'{c}'" for c in COUNTRIES) + "])"
WEEK_AGO = "now() - random() * interval '7 days'"
YEAR_AGO = "now() - interval '7 days' - random() * interval '358 days'"


def clone(model, template, count: int, **columns: str) -> None:
    """`count` copies of the template row, each column in `columns` set by an SQL expression of the
    series number g (1…count); unique clashes are skipped."""
    names = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    select = [columns.get(name, f't."{name}"') for name in names]
    table = model._meta.db_table
    quoted = ", ".join(f'"{name}"' for name in names)
    sql = (
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(select)} '  # noqa: S608 - the benchmark's own SQL
        f'FROM "{table}" t, generate_series(1, {count}) g WHERE t.id = {template.pk} ON CONFLICT DO NOTHING'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _add_what_migrations_lack() -> None:
    """While an app's migrations lag behind its models, make the missing tables and columns from the
    models, as bench/matching.py does."""
    from django.apps import apps

    tables = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.db_table not in tables:
                editor.create_model(model)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
            for field in model._meta.local_concrete_fields:
                if field.column not in columns:
                    editor.add_field(model, field)


# PostgreSQL's codes for a column, table or index that exists already.
ALREADY_THERE = {"42701", "42P07", "42710"}


def _migrate() -> None:
    """Apply each migration not applied yet. One that makes what _add_what_migrations_lack made on an earlier
    run fails (and rolls back: PostgreSQL's DDL is transactional) and is marked applied instead; whatever
    else it held, that function adds next."""
    from django.core.management import call_command
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    for migration, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes()):
        target = (migration.app_label, migration.name)
        try:
            call_command("migrate", *target, verbosity=0)
        except ProgrammingError as error:
            if getattr(error.__cause__, "pgcode", None) not in ALREADY_THERE:
                raise
            call_command("migrate", *target, fake=True, verbosity=0)


def seed(users: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL.")
    _migrate()
    _add_what_migrations_lack()
    if GuideReadDay.objects.exists():  # seeded last: the database is ready
        return
    started = time.perf_counter()
    for n, code in enumerate(COUNTRIES):
        Institution.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench university {n}", "short_name": f"BU{n}", "country": code}
        )
    members = list(Institution.objects.order_by("pk").values_list("pk", flat=True))
    first_member, member_count = members[0], len(members)
    # The benchmark's own database: the members are numbered in a row, so g picks one by arithmetic.
    assert members == list(range(first_member, first_member + member_count)), "seed a database of its own"
    member_of = f"{first_member} + g % {member_count}"
    now = timezone.now()

    template_user = User.objects.create(email="bench-template@bench.example", full_name="Bench", password="!")  # noqa: S106
    clone(User, template_user, users, email="'bench' || g || '@bench.example'", institution_id=member_of)
    user_ids = User.objects.filter(email__endswith="@bench.example").order_by("pk").values_list("pk", flat=True)
    first_user, last_user = user_ids.first(), user_ids.last()
    with connection.cursor() as cursor:
        # Nine in ten are students, the rest career officers.
        cursor.execute(
            "INSERT INTO consortium_roleassignment (user_id, role, created_at) "
            "SELECT id, CASE WHEN id %% 10 = 0 THEN %s ELSE %s END, now() FROM consortium_user "
            "WHERE email LIKE '%%@bench.example'",
            [Role.CAREER_OFFICER, Role.STUDENT],
        )
    print(f"  users in {time.perf_counter() - started:.0f} s", flush=True)

    company = Company.objects.create(name="Bench company", slug="bench-company", sector="J", size="medium")
    job = Job.objects.create(
        institution_id=first_member, company=company, title="Bench job", description="A job.",
        description_html="<p>A job.</p>", kind="internship", country="ES", city="City",
        status=JobStatus.PUBLISHED, published_at=now,
    )  # fmt: skip
    job_columns = {"institution_id": member_of, "country": f"{COUNTRY_ARRAY}[1 + (g * 7) % 12]"}
    clone(Job, job, 4_000, published_at=WEEK_AGO, created_at=WEEK_AGO, **job_columns)
    clone(Job, job, 40_000, published_at=YEAR_AGO, created_at=YEAR_AGO, **job_columns)
    first_job, last_job = job.pk, Job.objects.order_by("-pk").values_list("pk", flat=True).first()
    job_count = last_job - first_job + 1
    span = last_user - first_user + 1
    application = Application.objects.create(job=job, applicant_id=first_user, message="Hello", cv="cv.pdf")
    applicant = f"{first_user} + (g * 7919) % {span}"
    clone(Application, application, 30_000, applicant_id=applicant, job_id=f"{first_job} + (g * 31) % {job_count}",
          created_at=WEEK_AGO)  # fmt: skip
    clone(Application, application, 150_000, applicant_id=applicant, job_id=f"{first_job} + (g * 17) % {job_count}",
          created_at=YEAR_AGO)  # fmt: skip
    with connection.cursor() as cursor:
        # Every job opened on ten days of the year, most on the days after it was published.
        cursor.execute(
            "INSERT INTO jobs_jobviewday (job_id, day, count) "
            "SELECT j.id, (j.published_at + d * interval '1 day')::date, 1 + (j.id * d) % 40 "
            "FROM jobs_job j, generate_series(0, 9) d WHERE (j.published_at + d * interval '1 day') < now() "
            "ON CONFLICT DO NOTHING"
        )
    print(f"  jobs, applications and views in {time.perf_counter() - started:.0f} s", flush=True)

    support = SupportRequest.objects.create(
        requester_id=first_user, requesting_institution_id=first_member, target_country="IT",
        target_institution_id=members[1], category="permits", subject="Permits", question="Which permit?",
        first_response_due_at=now,
    )  # fmt: skip
    target = f"{first_member} + (g + 1) % {member_count}"
    for count, when in ((2_000, WEEK_AGO), (20_000, YEAR_AGO)):
        clone(SupportRequest, support, count, requesting_institution_id=member_of, target_institution_id=target,
              created_at=when, first_response_at=f"CASE WHEN g % 5 > 0 THEN {when} + interval '9 hours' END",
              rating="CASE WHEN g % 3 = 0 THEN 1 + g % 5 END")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO consortium_supportbreach (request_id, institution_id, due_at, recorded_at) "
            "SELECT id, target_institution_id, created_at + interval '3 days', now() FROM consortium_supportrequest "
            "WHERE first_response_at IS NULL AND id % 2 = 0 ON CONFLICT DO NOTHING"
        )

    week = TrainingWeek.objects.create(
        host_id=first_member, title="Bench week", slug="bench-week", starts_on=now.date(),
        ends_on=now.date() + datetime.timedelta(days=4), description="A week.",
        seat_plan=create_seat_plan(kind="training.week", capacity=5000),
        registration_opens_at=now, registration_closes_at=now + datetime.timedelta(days=1),
    )  # fmt: skip
    registration = Registration.objects.create(week=week, person_id=first_user, institution_id=first_member)
    clone(Registration, registration, 5_000, person_id=applicant, institution_id=member_of, created_at=WEEK_AGO)
    edition = Edition.objects.create(
        title="Bench school", slug="bench-school", theme="Ventures", year=now.year, host_id=first_member,
        starts_on=now.date(), ends_on=now.date(), on_site_days=5, city="City", ects=4, call_opens_at=now,
        call_closes_at=now + datetime.timedelta(days=1),
        seat_plan=create_seat_plan(kind="summerschools.edition", capacity=500),
    )  # fmt: skip
    summer = SummerApplication.objects.create(
        edition=edition, student_id=first_user, institution_id=first_member, motivation="Yes", cv="cv.pdf",
        field_of_study="04",
    )  # fmt: skip
    clone(SummerApplication, summer, 3_000, student_id=applicant, institution_id=member_of, created_at=WEEK_AGO,
          status="CASE WHEN g % 4 = 0 THEN 'accepted' ELSE 'submitted' END", decided_at=WEEK_AGO)  # fmt: skip
    introduction = Introduction.objects.create(
        sender_id=first_user, recipient_id=first_user + 1, message="Hello", expires_at=now
    )
    recipient = f"{first_user} + (g * 7919 + 1 + g % 100) % {span}"
    clone(Introduction, introduction, 8_000, sender_id=applicant, recipient_id=recipient,
          created_at=WEEK_AGO, status="CASE WHEN g % 3 = 0 THEN 'accepted' ELSE 'declined' END",
          responded_at=WEEK_AGO)  # fmt: skip
    for code in COUNTRIES:
        guide, _created = CountryGuide.objects.get_or_create(country=code)
        GuideEdition.objects.get_or_create(guide=guide, language="en")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO guides_guidereadday (edition_id, day, count) "
            "SELECT e.id, (now() - d * interval '1 day')::date, 20 + (e.id * d) % 90 "
            "FROM guides_guideedition e, generate_series(0, 364) d ON CONFLICT DO NOTHING"
        )
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)


def give_home_countries() -> None:
    """One student in eight studies abroad: a home country other than their institution's, so that
    staying on counts some applications. Done apart from seed() for databases seeded before the field."""
    if User.objects.exclude(home_country="").exists():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE consortium_user u "
            "SET home_country = (ARRAY['MX','CN','IN','UA','BR','US','TR','MA'])[1 + u.id / 8 % 8] "
            "WHERE u.email LIKE '%@bench.example' AND u.id % 8 = 3"
        )
        cursor.execute("ANALYZE consortium_user")


def median_ms(call, repeat: int) -> float:
    call()  # warm
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    seed(args.users)
    give_home_countries()
    rolled = time.perf_counter()
    rows = roll_up_job_activity()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_jobactivityday")  # as autovacuum would after the night's rows
    print(f"rolled up the year's job views and applications ({rows} rows) in {time.perf_counter() - rolled:.1f} s")
    print(
        f"data: {User.objects.count()} users, {Job.objects.count()} jobs, {Application.objects.count()} applications, "
        f"{JobViewDay.objects.count()} job-view days, {SupportRequest.objects.count()} support requests, "
        f"{Registration.objects.count()} registrations, {Introduction.objects.count()} introductions, "
        f"{GuideReadDay.objects.count()} guide-read days"
    )
    admin, _created = User.objects.get_or_create(email="bench-admin@bench.example", defaults={"full_name": "Admin"})
    member = Institution.objects.order_by("pk").first()
    partner, _created = User.objects.get_or_create(
        email="bench-partner@bench.example", defaults={"full_name": "Partner", "institution": member}
    )
    RoleAssignment.objects.get_or_create(user=admin, role=Role.CONSORTIUM_ADMIN)
    RoleAssignment.objects.get_or_create(user=partner, role=Role.PARTNER_ADMIN)
    for user in (admin, partner):
        # Admins must have a second factor before any page opens.
        if not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, generate_totp_secret())
    today = timezone.now().astimezone(datetime.UTC).date()  # the impact figures' days are UTC days
    week = {"period": "custom", "start": (today - datetime.timedelta(days=6)).isoformat(), "end": today.isoformat()}
    pages = [
        ("consortium, last 12 months", admin, reverse("consortium:consortium-impact"), {}),
        ("consortium, last week", admin, reverse("consortium:consortium-impact"), week),
        ("institution, last 12 months", partner, reverse("consortium:impact", args=[member.slug]), {}),
        ("institution, last week", partner, reverse("consortium:impact", args=[member.slug]), week),
    ]
    for label, user, url, query in pages:
        client = Client()
        client.force_login(user)
        response = client.get(url, query)
        assert response.status_code == 200, (label, response.status_code, response.get("Location"))
        statements = []

        def count(execute, sql, *rest, statements=statements):
            statements.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url, query)
        ms = median_ms(lambda: client.get(url, query), args.repeat)  # noqa: B023 - called in this iteration
        print(f"{label:32} median {ms:7.1f} ms  {len(statements)} queries")

    period = impact.Period(today.replace(year=today.year - 1) + datetime.timedelta(days=1), today)
    start, end = period.bounds
    figures = [(f"counter {c.name}", lambda c=c: c.count(start, end, None)) for c in IMPACT_COUNTERS.values()]
    figures += [(f"by country {b.name}", lambda b=b: b.count(start, end, None)) for b in IMPACT_BREAKDOWNS.values()]
    figures += [(f"series {s.name}", lambda s=s: s.series(start, end, None)) for s in IMPACT_SERIES.values()]
    figures += [(f"pairs {b.name}", lambda b=b: b.pairs(start, end)) for b in IMPACT_BREAKDOWNS.values() if b.pairs]
    figures += [
        ("support desk", lambda: impact.support_desk(period, None)),
        ("surveys", lambda: impact.survey_scores(period)),
    ]
    timed = sorted(((median_ms(call, 5), name) for name, call in figures), reverse=True)
    print("figures, consortium-wide, last 12 months, slowest first:")
    for ms, name in timed[:8]:
        print(f"  {name:40} {ms:7.1f} ms")


if __name__ == "__main__":
    main()
