"""Benchmark of incremental job sync on PostgreSQL: a member's system fetches the jobs changed since
its last run, page by page with the API's keyset cursor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench_sync \\
        .venv/bin/python bench/jobs_sync.py --jobs 200000 --changed 10000

Seeds the database named in DATABASE_URL (created by the caller, reused between runs) the way
bench/jobs_search.py does, stamps --changed random jobs as changed just now, then walks
/api/v1/jobs/?updated_since=<just before the change> through every `next` link and reports the
total time, the pages, the median time and SQL queries per page, the raw SQL time of one page,
and whether the walk returned exactly the changed jobs, each once. Not part of the test suite.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The search benchmark's production-like settings and its seeding, so that both measure the same data.
from jobs_search import raw_sql_ms, seed  # noqa: E402

# isort: split
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from consortium.models import Role, User  # noqa: E402
from consortium.services import create_api_key  # noqa: E402
from jobs.models import Audience, Job, JobStatus  # noqa: E402


def change_jobs(count: int) -> tuple[datetime.datetime, set[int]]:
    """Stamp `count` random public jobs (any member's key sees them) as changed now; returns the
    moment before the change and their ids."""
    visible = Job.objects.filter(status=JobStatus.PUBLISHED, audience=Audience.CONSORTIUM, require_login=False)
    ids = list(visible.values_list("pk", flat=True))
    if len(ids) < count:
        sys.exit(f"Only {len(ids)} jobs to change: seed more.")
    changed = random.Random(7).sample(ids, count)
    time.sleep(0.01)
    before = timezone.now()
    with connection.cursor() as cursor:
        # clock_timestamp() differs row by row, as changes made one at a time would.
        cursor.execute("UPDATE jobs_job SET updated_at = clock_timestamp() WHERE id = ANY(%s)", [changed])
        cursor.execute("ANALYZE jobs_job")
    return before, set(changed)


def walk(api: Client, first_url: str, *, count_queries: bool = False) -> dict:
    """Follow the `next` links from the first page to the last."""
    url, ids, timings, queries, page_urls = first_url, [], [], [], []
    while url:
        page_urls.append(url)
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                response = api.get(url)
            queries.append(len(captured))
        else:
            started = time.perf_counter()
            response = api.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        body = response.json()
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return {"ids": ids, "timings": timings, "queries": queries, "urls": page_urls}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200_000)
    parser.add_argument("--companies", type=int, default=5_000)
    parser.add_argument("--changed", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.jobs, args.companies)
    print(f"seeded: {Job.objects.count()} jobs in {time.perf_counter() - started:.0f} s")

    admin = User.objects.with_role(Role.PARTNER_ADMIN).select_related("institution").first()
    _key, raw_key = create_api_key(institution=admin.institution, name="bench sync", scopes=["jobs:read"], by=admin)
    api = Client(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    before, changed = change_jobs(args.changed)
    query = urlencode({"updated_since": before.isoformat(), "page_size": args.page_size})
    first_url = f"/api/v1/jobs/?{query}"

    api.get(first_url)  # warm the connection and caches
    started = time.perf_counter()
    timed = walk(api, first_url)
    total = time.perf_counter() - started
    counted = walk(api, first_url, count_queries=True)
    middle = timed["urls"][len(timed["urls"]) // 2]
    median_ms = statistics.median(timed["timings"]) * 1000
    with CaptureQueriesContext(connection) as captured:
        api.get(middle)
    raw_ms = raw_sql_ms(captured, repeat=20)

    ids = timed["ids"]
    exact = len(ids) == len(set(ids)) == len(changed) and set(ids) == changed
    print(f"changed jobs: {len(changed)}, page size {args.page_size}")
    print(f"walk: {len(timed['urls'])} pages, {len(ids)} jobs in {total:.2f} s")
    print(f"per page: median {median_ms:.1f} ms, raw SQL of a page {raw_ms:.1f} ms (ratio {median_ms / raw_ms:.1f})")
    print(f"SQL queries per page: min {min(counted['queries'])}, max {max(counted['queries'])}")
    print(f"returned exactly the changed jobs, each once: {'yes' if exact else 'NO'}")
    print(f"second walk returned the same jobs in the same order: {'yes' if counted['ids'] == ids else 'NO'}")
    if not exact:
        sys.exit(1)


if __name__ == "__main__":
    main()
