"""Benchmark of the weekly digest on PostgreSQL: every chunk of a week's run, built and sent in-process.

    createdb -h 127.0.0.1 -U postgres consortium_bench_digests
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench_digests \\
        .venv/bin/python bench/digests.py --students 50000

Seeds the database named in DATABASE_URL (reused between runs) with opted-in students across ten
institutions, each with a saved search whose alerts found jobs this week and a third with a
matching profile naming a field of study and countries; their officers and partner admins; and a
week of activity: thousands of new jobs, support requests waiting, knowledge base articles,
registrations. Then it forgets the week's digests and runs the whole week as the workers would,
chunk after chunk in this one process (no broker): people found, sections built, e-mails rendered
(text and HTML) and handed to a mail backend that serialises each message and drops it, rows
marked sent. Reports the total time, the queries of a chunk to build and to send, and the peak
memory Python allocated (tracemalloc). Not part of the test suite.
"""

import argparse
import resource
import sys
import time
import tracemalloc

from benchenv import start_django

start_django()

from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from consortium.models import DigestDelivery, Institution, User  # noqa: E402
from consortium.services import digests  # noqa: E402

PERIOD = "2026-W40"
COUNTRIES = ["ES", "IT", "FR", "DE", "NL", "PL", "PT", "SE", "AT", "BE"]


class SerialisingBackend(BaseEmailBackend):
    """Builds each message's bytes, as an SMTP backend would, and keeps none of them."""

    sent = 0

    def send_messages(self, messages):
        for message in messages:
            message.message().as_bytes()
        SerialisingBackend.sent += len(messages)
        return len(messages)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def seed(students: int, jobs: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    # Tables and columns whose migrations are not written yet (work in progress) are made from the models.
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if not model._meta.managed:
                continue
            if model._meta.db_table not in existing:
                editor.create_model(model)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, model._meta.db_table)}
            for field in model._meta.local_fields:
                if field.column not in columns:
                    editor.add_field(model, field)
    if User.objects.filter(email__startswith="bench-student").exists():
        return
    for n in range(10 - Institution.objects.count()):
        Institution.objects.create(
            name=f"Bench university {n}", short_name=f"BU{n}", slug=f"bench-{n}", country=COUNTRIES[n], city="City"
        )
    start, end = digests.period_window(PERIOD)
    week = {"start": start, "end": end}
    # People: students (opted in to the digest, registered this week), 50 officers and one partner admin
    # per institution, all with their roles; set-based, one statement each.
    sql(
        """
        INSERT INTO consortium_user (email, full_name, institution_id, preferred_language, time_zone, is_active,
                                     is_staff, is_superuser, password, date_joined)
        SELECT 'bench-' || kind || n || '@bench.example', 'Bench ' || initcap(kind) || ' ' || n,
               (SELECT id FROM consortium_institution ORDER BY id OFFSET n %% 10 LIMIT 1),
               (ARRAY['en', 'es', 'it', 'fr', 'de'])[1 + n %% 5], 'Europe/Madrid', true, false, false, '!',
               %(start)s + (n %% 604800) * interval '1 second'
        FROM (SELECT 'student' AS kind, generate_series(1, %(students)s) AS n
              UNION ALL SELECT 'officer', generate_series(1, 500)
              UNION ALL SELECT 'admin', generate_series(1, 10)) people
        """,
        {**week, "students": students},
    )
    sql("""
        INSERT INTO consortium_roleassignment (user_id, role, created_at)
        SELECT id, CASE WHEN email LIKE 'bench-student%%' THEN 'student'
                        WHEN email LIKE 'bench-officer%%' THEN 'career_officer' ELSE 'partner_admin' END, now()
        FROM consortium_user WHERE email LIKE 'bench-%%'
    """)
    sql(f"""
        INSERT INTO consortium_notificationpreference (user_id, kind, in_app, email, digest, updated_at)
        SELECT id, '{digests.DIGEST_KIND}', true, true, false, now()
        FROM consortium_user WHERE email LIKE 'bench-student%%'
    """)  # noqa: S608 - a constant
    # The week's jobs: from 1,000 companies, published over the week, a third in business (04).
    sql("""
        INSERT INTO consortium_company (name, slug, country, city, sector, size, status, status_note, website,
                                        created_at, updated_at)
        SELECT 'Bench company ' || n, 'bench-company-' || n, 'DE', 'Berlin', 'J', 'small', 'verified', '', '',
               now(), now()
        FROM generate_series(1, 1000) n
    """)
    sql(
        """
        INSERT INTO jobs_job (institution_id, company_id, title, description, description_html, kind, country, city,
                              work_mode, paid, salary_currency, salary_period, fields_of_study, skills,
                              erasmus_eligible, visa_sponsorship, start_kind, apply_method, apply_url, apply_email,
                              audience, require_login, status, external_id, created_at, updated_at, published_at)
        SELECT (SELECT id FROM consortium_institution ORDER BY id OFFSET n %% 10 LIMIT 1),
               (SELECT min(id) FROM consortium_company WHERE slug LIKE 'bench-company-%%') + n %% 1000,
               'Bench job ' || n, 'A job.', '<p>A job.</p>', 'internship', 'DE', 'Berlin', 'on_site', true, 'EUR',
               'MONTH', CASE WHEN n %% 3 = 0 THEN '["04"]' ELSE '["06"]' END::jsonb, '[]'::jsonb, false, false,
               'flexible', 'platform', '', '', 'consortium', false, 'published', '', now(), now(),
               %(start)s + (n * 97 %% 604800) * interval '1 second'
        FROM generate_series(1, %(jobs)s) n
        """,
        {**week, "jobs": jobs},
    )
    # A saved search each, whose alert found five of the week's jobs (what jobs.services.alerts records).
    sql("""
        INSERT INTO jobs_savedsearch (user_id, name, query, frequency, is_active, created_at, updated_at)
        SELECT id, 'Internships', 'kind=internship', 'weekly', true, now(), now()
        FROM consortium_user WHERE email LIKE 'bench-student%%'
    """)
    sql(
        """
        INSERT INTO jobs_alertsentjob (saved_search_id, job_id, sent_at)
        SELECT s.id, j.first + (s.id * 31 + k * 1009) %% %(jobs)s, %(end)s - interval '1 day'
        FROM jobs_savedsearch s, generate_series(1, 5) k,
             (SELECT min(id) AS first FROM jobs_job WHERE title LIKE 'Bench job%%') j
        ON CONFLICT DO NOTHING
        """,
        {**week, "jobs": jobs},
    )
    # A third of the students name fields of study and countries in their matching profile.
    sql("""
        INSERT INTO matching_matchingprofile (user_id, headline, bio, topics, sectors, fields_of_study, skills,
                                              countries, looks_for, offers, intros_per_month, visibility,
                                              intros_received, created_at, updated_at)
        SELECT id, 'Student', '', '[]', '[]', '["04"]', '[]', '["DE", "FR"]', '[]', '[]', 3, 'hidden', 0, now(), now()
        FROM consortium_user WHERE email LIKE 'bench-student%%' AND id %% 3 = 0
    """)
    # Support requests waiting on each institution, and the week's knowledge base articles.
    sql(
        """
        INSERT INTO consortium_supportrequest (requesting_institution_id, target_institution_id, target_country,
               in_shared_queue, category, subject, question, field_of_study, degree_level, languages, target_role,
               timeframe, status, rating_comment, publication_consent, first_response_due_at, created_at, updated_at)
        SELECT (SELECT id FROM consortium_institution ORDER BY id OFFSET (n + 1) %% 10 LIMIT 1),
               (SELECT id FROM consortium_institution ORDER BY id OFFSET n %% 10 LIMIT 1), 'ES', false, 'visa',
               'Bench question ' || n, 'How?', '', '', '[]', '', '', 'open', '', false,
               %(end)s + (n %% 72) * interval '1 hour', %(start)s + (n * 301 %% 604800) * interval '1 second', now()
        FROM generate_series(1, 3000) n
        """,
        week,
    )
    sql(
        """
        INSERT INTO consortium_knowledgearticle (country, category, title, question, answer, answer_html,
                                                 is_published, published_at, created_at, updated_at)
        SELECT (ARRAY['ES', 'IT', 'FR', 'DE', 'NL'])[1 + n %% 5], 'visa', 'Bench article ' || n, 'Q', 'A', '<p>A</p>',
               true, %(start)s + (n * 3001 %% 604800) * interval '1 second', now(), now()
        FROM generate_series(1, 300) n
        """,
        week,
    )
    sql("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=5_000)
    parser.add_argument("--chunk", type=int, default=500)
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.students, args.jobs)
    print(f"seeded: {User.objects.count()} people in {time.perf_counter() - started:.0f} s", flush=True)
    settings.EMAIL_BACKEND = f"{__name__}.SerialisingBackend"
    DigestDelivery.objects.filter(period=PERIOD).delete()
    # Production's cache is Redis; the benchmark's process keeps the partner admins' figures itself.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    chunks = digests.plan_digest_chunks(chunk_size=args.chunk)
    middle = chunks[len(chunks) // 2]
    with CaptureQueriesContext(connection) as building:
        digests.build_digests(digests._recipients(*middle), PERIOD)
    DigestDelivery.objects.filter(period=PERIOD).delete()
    cache.clear()
    # The run as the workers make it, chunk after chunk, in this one process; memory is measured on a
    # second pass over a tenth of the chunks, as tracemalloc slows Python several times over.
    build_seconds = send_seconds = 0.0
    for first_pk, last_pk in chunks:
        # The log of captured queries holds 9,000: empty it, or the counts of later chunks come out wrong.
        connection.queries_log.clear()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queueing:
            queued = digests.queue_digest_chunk(period=PERIOD, first_pk=first_pk, last_pk=last_pk)
        build_seconds += time.perf_counter() - started
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as sending:
            digests.send_digests(queued)
        send_seconds += time.perf_counter() - started
        if (first_pk, last_pk) == middle:
            chunk_queries = (len(queueing), len(sending), len(queued))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sample = chunks[: max(1, len(chunks) // 10)]
    DigestDelivery.objects.filter(period=PERIOD, user_id__lt=sample[-1][1]).delete()
    tracemalloc.start()
    for first_pk, last_pk in sample:
        digests.send_digest_chunk(period=PERIOD, first_pk=first_pk, last_pk=last_pk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    sent = DigestDelivery.objects.filter(period=PERIOD, status="sent").count()
    skipped = DigestDelivery.objects.filter(period=PERIOD, status="skipped").count()
    print(
        f"digests: {sent} sent, {skipped} skipped (nothing to tell), in {len(chunks)} chunks of {args.chunk} "
        f"primary keys, in this one process (no broker, no worker)\n"
        f"built and queued (people found, sections built, rows written): {build_seconds:.1f} s\n"
        f"sent (rendered in text and HTML, serialised, rows marked): {send_seconds:.1f} s "
        f"({sent / max(send_seconds, 1e-9):.0f} e-mails/s on one process)\n"
        f"queries of a chunk of {chunk_queries[2]} digests: {len(building)} to find its people and build, "
        f"{chunk_queries[0]} with writing its rows, {chunk_queries[1]} to send them (BEGIN, claim, mark, COMMIT each)\n"
        f"peak memory: {peak / 2**20:.1f} MiB allocated by Python over {len(sample)} chunks (tracemalloc); "
        f"{rss:.0f} MiB resident at most over the whole run"
    )


if __name__ == "__main__":
    main()
