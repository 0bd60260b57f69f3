"""Benchmark of matching's hot paths on PostgreSQL: reading one's stored recommendations, and
recomputing one person's recommendations from the match index.

    createdb -h 127.0.0.1 -U postgres consortium_bench_matching
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/consortium_bench_matching \\
        .venv/bin/python bench/matching.py --profiles 50000

Seeds the database named in DATABASE_URL (reused between runs) with people and matching profiles
across ten institutions, their match index and 30 stored recommendations each, then reports the
median time, the SQL queries and the median of the same SELECTs run as raw SQL for: the top 10
stored recommendations of a person (the page's read), the recommendations page and API, and one
person's recomputation (candidate generation on the (key, scope) index, scoring, storing).
Not part of the test suite.
"""

import argparse
import random
import statistics
import sys
import time

from benchenv import start_django

start_django()

from django.apps import apps  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from jobs_search import raw_sql_ms  # noqa: E402 - the same measure as the job board's benchmark

from consortium.models import FieldOfStudy, Institution, Role, RoleAssignment, Sector, User, UserLanguage  # noqa: E402
from matching.models import Intent, MatchingProfile, MatchTag, Recommendation, Visibility  # noqa: E402
from matching.services import recompute_recommendations  # noqa: E402
from matching.services.profiles import profile_keys  # noqa: E402
from matching.skills import read_esco_skills  # noqa: E402

COUNTRIES = ["ES", "IT", "GB", "FR", "DE", "NL", "PL", "PT", "SE", "AT", "BE", "IE"]
LANGUAGES = ["en", "es", "fr", "de", "it", "nl", "pl", "pt"]
TOPICS = [
    "fintech", "payments", "renewable energy", "energy storage", "ai", "machine learning", "health", "ageing",
    "mobility", "logistics", "tourism", "fashion", "food", "agritech", "edtech", "cybersecurity", "blockchain",
    "circular economy", "water", "climate", "biotech", "medtech", "robotics", "iot", "gaming", "media", "marketing",
    "retail", "real estate", "construction", "smart cities", "public policy", "law", "insurance", "banking",
    "social impact", "design", "architecture", "music", "sports", "hospitality", "space", "materials", "chemistry",
    "quantum", "data", "cloud", "hr tech", "legal tech", "proptech",
]  # fmt: skip
BATCH = 5000


def seed(profiles: int) -> None:
    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL.")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    # Until matching's migrations are written, its tables are made straight from the models.
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("matching").get_models():
            if model._meta.db_table not in existing:
                editor.create_model(model)
    rng = random.Random(2026)
    for n in range(10 - Institution.objects.count()):
        Institution.objects.create(
            name=f"Bench university {n}", short_name=f"BU{n}", slug=f"bench-{n}", country=COUNTRIES[n], city="City"
        )
    institutions = list(Institution.objects.values_list("pk", flat=True))
    skills = [f"esco:{esco_id}" for esco_id, _label in read_esco_skills()[:600]]
    have = MatchingProfile.objects.count()
    roles = [Role.STUDENT, Role.STUDENT, Role.STUDENT, Role.ACADEMIC, Role.COMPANY_CONTACT]
    for start in range(have, profiles, BATCH):
        count = min(BATCH, profiles - start)
        users = User.objects.bulk_create(
            User(
                email=f"bench{n}@bench.example",
                full_name=f"Bench Person {n}",
                institution_id=rng.choice(institutions),
                password="!",  # noqa: S106 - unusable, as set_unusable_password writes it
            )
            for n in range(start, start + count)
        )
        RoleAssignment.objects.bulk_create(RoleAssignment(user=u, role=rng.choice(roles)) for u in users)
        UserLanguage.objects.bulk_create(
            UserLanguage(user=u, language=code, level=rng.choice(["B1", "B2", "C1", "C2"]))
            for u in users
            for code in rng.sample(LANGUAGES, 2)
        )
        batch = MatchingProfile.objects.bulk_create(
            MatchingProfile(
                user=u,
                headline=f"Headline of {u.full_name}",
                topics=rng.sample(TOPICS, rng.randint(2, 4)),
                sectors=[rng.choice(Sector.values)],
                fields_of_study=[rng.choice(FieldOfStudy.values)],
                skills=rng.sample(skills, rng.randint(3, 6)),
                countries=rng.sample(COUNTRIES, rng.randint(1, 2)),
                looks_for=rng.sample(Intent.values, rng.randint(1, 2)),
                offers=rng.sample(Intent.values, rng.randint(0, 2)),
                intros_per_month=rng.randint(3, 10),
                visibility=rng.choices(Visibility.values, weights=[70, 15, 15])[0],
            )
            for u in users
        )
        tags = []
        for profile in batch:
            if profile.visibility == Visibility.HIDDEN:
                continue
            scope = profile.user.institution_id if profile.visibility == Visibility.INSTITUTION else None
            tags += [MatchTag(profile=profile, key=key, scope_id=scope) for key in profile_keys(profile)]
        MatchTag.objects.bulk_create(tags, batch_size=BATCH)
        print(f"  {start + count} profiles", flush=True)
    if not Recommendation.objects.exists():
        # 30 stored recommendations per person, as the matcher leaves them: the table the page reads.
        with connection.cursor() as cursor:
            cursor.execute("""
                INSERT INTO matching_recommendation (user_id, profile_id, score, reasons, created_at)
                SELECT p.user_id, c.id, (random() * 20)::int + 2, '{"topics": ["fintech"]}'::jsonb, now()
                FROM matching_matchingprofile p
                CROSS JOIN LATERAL (
                    SELECT q.id FROM matching_matchingprofile q
                    WHERE q.id <> p.id AND q.id > (p.id * 7919) % (SELECT max(id) FROM matching_matchingprofile)
                    ORDER BY q.id LIMIT 30
                ) c
                ON CONFLICT DO NOTHING
            """)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reindex() -> None:
    """After a change to what profiles are found by: the index rows again, from the profiles."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE matching_matchtag")
    profiles = MatchingProfile.objects.exclude(visibility=Visibility.HIDDEN).select_related("user").order_by("pk")
    tags = []
    for profile in profiles.iterator(chunk_size=BATCH):
        scope = profile.user.institution_id if profile.visibility == Visibility.INSTITUTION else None
        tags += [MatchTag(profile=profile, key=key, scope_id=scope) for key in profile_keys(profile)]
        if len(tags) > 50_000:
            MatchTag.objects.bulk_create(tags, batch_size=BATCH)
            tags = []
    MatchTag.objects.bulk_create(tags, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE matching_matchtag")


def timed(call, users, repeat) -> tuple[float, int, float]:
    """Median ms of call(user) over the users, its queries for the last one, and the raw SQL median."""
    call(users[0])  # warm
    timings = []
    for user in users[:repeat]:
        started = time.perf_counter()
        call(user)
        timings.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        call(users[-1])
    return statistics.median(timings) * 1000, len(captured), raw_sql_ms(captured, 15)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profiles", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--reindex", action="store_true", help="Rebuild the match index of the seeded profiles.")
    args = parser.parse_args()
    started = time.perf_counter()
    seed(args.profiles)
    if args.reindex:
        reindex()
    print(
        f"seeded: {MatchingProfile.objects.count()} profiles, {MatchTag.objects.count()} index rows, "
        f"{Recommendation.objects.count()} stored recommendations in {time.perf_counter() - started:.0f} s"
    )
    rng = random.Random(7)
    ids = list(MatchingProfile.objects.values_list("user_id", flat=True))
    users = list(User.objects.filter(pk__in=rng.sample(ids, args.repeat + 1)).select_related("institution"))
    for user in users:
        user.roles  # noqa: B018 - the request's one roles query, not part of the measured read

    def read_top10(user):
        return Recommendation.objects.shown_to(user, limit=10)

    def recompute(user):
        return recompute_recommendations(user=user)

    browser = Client()

    def page(user):
        browser.force_login(user)
        assert browser.get("/matching/").status_code == 200

    def api(user):
        browser.force_login(user)
        assert browser.get("/api/v1/matching/recommendations/").status_code == 200

    print(f"{'path':<52} {'median ms':>10} {'queries':>8} {'raw SQL ms':>11}")
    for name, call, repeat in (
        ("top-10 stored recommendations (the read)", read_top10, args.repeat),
        ("recompute one person's recommendations", recompute, args.repeat),
        ("top-10 again, freshly computed", read_top10, args.repeat),
        ("recommendations page (incl. login)", page, 50),
        ("API /api/v1/matching/recommendations/ (incl. login)", api, 50),
    ):
        median, queries, raw = timed(call, users, repeat)
        print(f"{name:<52} {median:>10.1f} {queries:>8} {raw:>11.1f}")
    sizes = [len(recompute_recommendations(user=u)) for u in users[:20]]
    print(f"recommendations kept per recompute (20 people): median {statistics.median(sizes)}")


if __name__ == "__main__":
    main()
