"""Benchmark of the job board's hot paths on PostgreSQL: the search page and the API list.

    REDIS_URL=redis://127.0.0.1:6379/3 DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench \\
        .venv/bin/python bench/jobs_search.py --jobs 200000

Seeds the database named in DATABASE_URL (created by the caller, reused between runs) with
companies and published jobs across 30 countries, then reports for each path the median server
time over repeated requests and the web process's CPU time within it, the SQL queries per request,
and the median time of the same SELECTs run as raw SQL. With REDIS_URL the cache is Redis, as
deployed; for a fresh search the cache is emptied before each request. Not part of the test suite.
"""

import argparse
import random
import statistics
import sys
import time
import tracemalloc
from importlib import import_module

from benchenv import start_django

start_django(SYNC_SETTLE_SECONDS="0")  # rows seeded a moment ago must be listed

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from consortium.models import Company, Institution, Role, User  # noqa: E402
from consortium.services import create_api_key  # noqa: E402
from jobs.models import Job, JobKind, JobStatus, WorkMode  # noqa: E402

COUNTRIES = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "GB",
    "NO",
    "CH",
]
WORDS = [
    "marketing",
    "finance",
    "data",
    "software",
    "sales",
    "logistics",
    "design",
    "research",
    "legal",
    "consulting",
    "energy",
    "health",
    "tourism",
    "media",
    "engineering",
    "hr",
    "operations",
    "product",
]
ROLES = ["intern", "trainee", "assistant", "analyst", "developer", "coordinator", "associate"]


def seed(jobs: int, companies: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    if not Institution.objects.exists():
        settings.DEBUG = True  # seed_demo publishes known passwords and runs only in debug mode
        call_command("seed_demo", quiet=True)
        settings.DEBUG = False
    rng = random.Random(2026)
    have = Company.objects.count()
    Company.objects.bulk_create(
        Company(
            name=f"Bench company {n}",
            slug=f"bench-company-{n}",
            country=rng.choice(COUNTRIES),
            sector="J",
            size="small",
        )
        for n in range(have, companies)
    )
    company_ids = list(Company.objects.values_list("pk", flat=True))
    institution_ids = list(Institution.objects.values_list("pk", flat=True))
    missing = jobs - Job.objects.count()
    now = timezone.now()
    batch = []
    for n in range(max(missing, 0)):
        word, role = rng.choice(WORDS), rng.choice(ROLES)
        batch.append(
            Job(
                institution_id=rng.choice(institution_ids),
                company_id=rng.choice(company_ids),
                title=f"{word.title()} {role}",
                description=f"Join our {word} team as {role}. " * 5,
                description_html="<p>…</p>",
                kind=rng.choice(JobKind.values),
                country=rng.choice(COUNTRIES),
                city="City",
                work_mode=rng.choice(WorkMode.values),
                status=JobStatus.PUBLISHED,
                published_at=now - timezone.timedelta(minutes=n),
                skills=[word, role],
                deadline=(now + timezone.timedelta(days=rng.randint(1, 120))).date(),
            )
        )
        if len(batch) == 5000:
            Job.objects.bulk_create(batch)
            batch = []
    Job.objects.bulk_create(batch)
    if missing > 0:
        with connection.cursor() as cursor:
            cursor.execute("""
                UPDATE jobs_job j SET search_vector =
                    setweight(to_tsvector('simple', j.title), 'A') ||
                    setweight(to_tsvector('simple', c.name), 'A') ||
                    setweight(to_tsvector('simple', coalesce(j.skills::text, '')), 'B') ||
                    setweight(to_tsvector('simple', j.description), 'C')
                FROM consortium_company c WHERE c.id = j.company_id AND j.search_vector IS NULL
            """)
    with connection.cursor() as cursor:
        # Planner statistics for every table, as autovacuum keeps them in a live database: without
        # them PostgreSQL misjudges the freshly seeded companies and picks slow joins.
        cursor.execute("VACUUM ANALYZE")


def measure(client: Client, url: str, repeat: int, cold: bool) -> dict:
    """With `cold`, the facet counts are computed afresh for every request, as for a new search.

    Each request is followed by its reads run raw, so that the two are timed on the same machine: this
    one's speed drifts by a third from one minute to the next.
    """
    client.get(url)  # warms caches and the session
    if cold:
        forget_facet_counts(client)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries, reads = len(captured), read_statements(captured)  # the log empties at each request's start
    timings, cpu, raw = [], [], []
    for _ in range(repeat):
        if cold:
            forget_facet_counts(client)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, response.status_code
        raw.append(time_reads(reads))
    return {
        "median_ms": statistics.median(timings) * 1000,
        # The web process's own CPU time, without the database's: steadier than the elapsed time on a
        # machine that runs other work too.
        "cpu_median_ms": statistics.median(cpu) * 1000,
        "queries": queries,
        "raw_sql_median_ms": statistics.median(raw) * 1000,
    }


def forget_facet_counts(client: Client) -> None:
    """Empty the cache, as for a search nobody made in the last minute, but put back the signed-in
    person's session, which the cache also holds: a real visitor's stays there between pages."""
    cache.clear()
    if session_key := client.cookies.get(settings.SESSION_COOKIE_NAME):
        import_module(settings.SESSION_ENGINE).SessionStore(session_key.value).load()


def read_statements(captured: CaptureQueriesContext) -> list[str]:
    """The reads a request made (SELECT, WITH), as sent."""
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]


def time_reads(reads: list[str]) -> float:
    """Seconds to run the statements again straight on the connection and fetch their rows."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in reads:
            cursor.execute(sql)
            cursor.fetchall()
    return time.perf_counter() - started


def raw_sql_ms(captured: CaptureQueriesContext, repeat: int) -> float:
    """The median time of a request's reads run raw."""
    reads = read_statements(captured)
    return statistics.median(time_reads(reads) for _ in range(repeat)) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--companies", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.jobs, args.companies)
    print(
        f"seeded: {Job.objects.count()} jobs, {Company.objects.count()} companies "
        f"in {time.perf_counter() - started:.0f} s"
    )

    browser = Client()
    student = User.objects.with_role(Role.STUDENT).first()
    browser.force_login(student)
    admin = User.objects.with_role(Role.PARTNER_ADMIN).filter(institution=student.institution).first()
    _key, raw_key = create_api_key(institution=student.institution, name="bench", scopes=["jobs:read"], by=admin)
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    search = "/jobs/?q=marketing&country=IT&kind=internship"
    paths = {
        "search page (text + 2 filters, 20 results)": (browser, search, True),
        "  the same, not signed in": (Client(), search, True),
        "  the same search again (facets cached)": (browser, search, False),
        "search page (2 filters, no text)": (browser, "/jobs/?country=IT&work_mode=hybrid", True),
        "search page (no filter: every job)": (browser, "/jobs/", True),
        "  the same again (facets cached)": (browser, "/jobs/", False),
        "API list, 20 jobs": (api, "/api/v1/jobs/?page_size=20", False),
        "API list, 100 jobs": (api, "/api/v1/jobs/?page_size=100", False),
    }
    print(f"{'path':<46} {'median ms':>10} {'CPU ms':>7} {'queries':>8} {'raw SQL ms':>11} {'ratio':>6}")
    for name, (client, url, cold) in paths.items():
        result = measure(client, url, args.repeat, cold)
        ratio = result["median_ms"] / result["raw_sql_median_ms"]
        print(
            f"{name:<46} {result['median_ms']:>10.1f} {result['cpu_median_ms']:>7.1f} {result['queries']:>8} "
            f"{result['raw_sql_median_ms']:>11.1f} {ratio:>6.1f}"
        )
    # Memory apart from the timings: tracing slows Python down several times.
    tracemalloc.start()
    for client, url, _cold in paths.values():
        client.get(url)
    _current, peak = tracemalloc.get_traced_memory()
    print(f"peak traced Python memory over one request of each path: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
