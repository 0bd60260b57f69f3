"""Benchmark of summer-school team formation on PostgreSQL: one click forming the teams of an edition.

    createdb -h 127.0.0.1 -U postgres consortium_bench_teams
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench_teams \\
        .venv/bin/python bench/summerschool_teams.py --participants 300

Seeds the database named in DATABASE_URL (reused between runs) with an edition per participant
count: its confirmed participants from 5 institutions in 5 countries (unevenly: 30, 25, 20, 15 and
10 per cent), 10 company challenges and each participant's 1 to 3 preferred challenges (some
challenges more popular than others). Then forms the teams repeatedly and reports the median time
of the algorithm alone and of the whole service (reading the participants, forming, replacing the
teams in the database), with this process's CPU time beside the wall clock, the service's SQL
queries, and how mixed the teams are: team sizes, institutions and countries per team,
participants in a team whose challenge they chose.
Not part of the test suite.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal

from benchenv import start_django

start_django()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from consortium.models import Company, FieldOfStudy, Institution, Role, RoleAssignment, User  # noqa: E402
from consortium.services import seats as seat_service  # noqa: E402
from summerschools import team_formation  # noqa: E402
from summerschools.models import Application, ApplicationStatus, Challenge, Edition, Team  # noqa: E402
from summerschools.services import teams as team_service  # noqa: E402

COUNTRIES = ["ES", "IT", "FR", "DE", "PL"]
SHARES = [30, 25, 20, 15, 10]
CHALLENGES = 10


def _create_missing_columns() -> None:
    """Until the summer schools' latest migration is written, missing tables and columns are made
    straight from the models, as the test suite does."""
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("summerschools").get_models():
            table = model._meta.db_table
            if table not in existing:
                editor.create_model(model)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for field in model._meta.local_fields:
                if field.column not in columns:
                    editor.add_field(model, field)


def seed(participants: int) -> Edition:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    _create_missing_columns()
    institutions = []
    for n, country in enumerate(COUNTRIES):
        institution, _ = Institution.objects.get_or_create(
            slug=f"bench-summer-{n}",
            defaults={"name": f"Bench summer university {n}", "short_name": f"BS{n}", "country": country},
        )
        institutions.append(institution)
    slug = f"bench-teams-{participants}"
    edition = Edition.objects.filter(slug=slug).first()
    if edition is not None:
        return edition
    today = timezone.localdate()
    edition = Edition.objects.create(
        title=f"Bench summer school of {participants}",
        slug=slug,
        theme="Benchmark",
        year=today.year,
        host=institutions[0],
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=69),
        on_site_days=10,
        city="Madrid",
        ects=Decimal("4.0"),
        seat_plan=seat_service.create_seat_plan(kind="summerschools.edition", capacity=participants),
        call_opens_at=timezone.now() - datetime.timedelta(days=30),
        call_closes_at=timezone.now() - datetime.timedelta(days=1),
        status="published",
    )
    edition.co_organisers.set(institutions[1:])
    challenges = [
        Challenge.objects.create(
            edition=edition,
            company=Company.objects.get_or_create(
                slug=f"bench-summer-company-{n}",
                defaults={"name": f"Bench company {n}", "country": "ES", "sector": "J", "size": "small"},
            )[0],
            title=f"Challenge {n}",
        )
        for n in range(CHALLENGES)
    ]
    rng = random.Random(2026)
    students = User.objects.bulk_create(
        User(
            email=f"bench-summer-{participants}-{n}@bench.example",
            full_name=f"Bench Student {n}",
            institution=rng.choices(institutions, weights=SHARES)[0],
            password="!",  # noqa: S106 - unusable, as set_unusable_password writes it
        )
        for n in range(participants)
    )
    RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=Role.STUDENT) for u in students)
    applications = Application.objects.bulk_create(
        Application(
            edition=edition,
            student=u,
            institution=u.institution,
            motivation="Benchmark",
            cv=f"summerschools/cv/bench/{u.pk}.pdf",
            languages=[["en", "C1"]],
            field_of_study=rng.choice(FieldOfStudy.values[1:]),
            status=ApplicationStatus.CONFIRMED,
        )
        for u in students
    )
    popularity = [CHALLENGES - n for n in range(CHALLENGES)]
    Application.preferred_challenges.through.objects.bulk_create(
        Application.preferred_challenges.through(application_id=a.pk, challenge_id=c.pk)
        for a in applications
        for c in set(rng.choices(challenges, weights=popularity, k=rng.randint(1, 3)))
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return edition


def timed(call, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and this process's CPU milliseconds of each call: on a shared machine the CPU time
    shows the work itself, the wall clock adds the database and the neighbours."""
    wall, cpu = [], []
    for n in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call(n)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def report_teams(edition: Edition) -> None:
    teams = list(Team.objects.filter(edition=edition))
    members = list(
        Application.objects.filter(edition=edition, team__isnull=False).select_related("institution", "team")
    )
    chosen = set(
        Application.preferred_challenges.through.objects.filter(application__edition=edition).values_list(
            "application_id", "challenge_id"
        )
    )
    by_team = {t.pk: [] for t in teams}
    for application in members:
        by_team[application.team_id].append(application)
    sizes = [len(m) for m in by_team.values()]
    institutions = [len({a.institution_id for a in m}) for m in by_team.values()]
    countries = [len({a.institution.country.code for a in m}) for m in by_team.values()]
    happy = sum((a.pk, a.team.challenge_id) in chosen for a in members)
    print(f"teams: {len(teams)}, sizes {min(sizes)}-{max(sizes)}")
    print(f"institutions per team: min {min(institutions)}, max {max(institutions)}")
    print(f"countries per team: min {min(countries)}, max {max(countries)}")
    print(f"in a team whose challenge they chose: {happy} of {len(members)} ({100 * happy / len(members):.0f} %)")
    print(f"teams per challenge: {sorted(Counter(t.challenge_id for t in teams).values())}")
    print(f"what the teams page says they miss: {team_service.overview(edition).notes or 'nothing'}")
    assert min(institutions) >= 3, "a team mixes fewer than 3 institutions"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    edition = seed(args.participants)
    counts = Counter(
        Application.objects.filter(edition=edition, status=ApplicationStatus.CONFIRMED).values_list(
            "institution__country", flat=True
        )
    )
    print(f"seeded in {time.perf_counter() - started:.1f} s: {sum(counts.values())} participants by country {counts}")

    _, people = team_service.participants(edition)
    challenges = list(edition.challenges.values_list("pk", flat=True))
    team_service.form_teams(edition=edition, by=None)  # warm
    with CaptureQueriesContext(connection) as captured:
        team_service.form_teams(edition=edition, by=None)

    def algorithm(n):
        team_formation.form_teams(people, size=edition.team_size, challenges=challenges, seed=n)

    def service(n):
        team_service.form_teams(edition=edition, by=None)

    print(f"{'step':<58} {'median ms':>10} {'max ms':>8} {'CPU ms':>8} {'queries':>8}")
    for name, call, queries in (
        (f"formation algorithm alone ({len(people)} participants)", algorithm, 0),
        ("form_teams service: read, form, replace teams in the db", service, len(captured)),
    ):
        wall, cpu = timed(call, args.repeat)
        median, worst, work = statistics.median(wall), max(wall), statistics.median(cpu)
        print(f"{name:<58} {median:>10.1f} {worst:>8.1f} {work:>8.1f} {queries:>8}")
    report_teams(edition)


if __name__ == "__main__":
    main()
