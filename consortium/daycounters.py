"""Per-day counters for events too frequent to keep a row each (a job viewed, a guide read): one row per
thing and day (UTC), bumped by a single upsert so that concurrent requests never lose a count."""

import datetime
import logging
import re

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# Crawlers that say what they are; counting them would turn readership figures into search-engine traffic.
BOT_AGENT = re.compile(r"bot|crawl|spider|slurp|preview|facebookexternalhit|headless", re.IGNORECASE)
# Browsers announce a speculative load with one of these; the page may never be shown.
PREFETCH_HEADERS = ("Sec-Purpose", "Purpose", "X-Moz", "X-Purpose")


def is_reader(request) -> bool:
    """Whether the request is someone opening the page: a GET (HEAD and form posts read nothing), not a
    prefetch, from a browser that names itself (scripts often send no user agent) and is no crawler."""
    agent = request.headers.get("User-Agent", "")
    if request.method != "GET" or not agent or BOT_AGENT.search(agent):
        return False
    return not any("prefetch" in request.headers.get(name, "").lower() for name in PREFETCH_HEADERS)


def bump_day_counter(model, **keys) -> None:
    """Add one to today's row of `model` (fields `day` and `count`, unique on the keys and day), creating
    it at one. One INSERT … ON CONFLICT DO UPDATE, which PostgreSQL and SQLite both run.

    A statistic never breaks the page it counts: a failure (a lock timeout, a full disk) is logged and
    rolled back to a savepoint, so the request's own transaction goes on."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = [model._meta.get_field(name).column for name in keys]
    key_columns = ", ".join(connection.ops.quote_name(c) for c in [*columns, "day"])
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    # Names come from the model's metadata and every value is a parameter: nothing user-given is spliced in.
    insert = f"INSERT INTO {table} ({key_columns}, count) VALUES ({placeholders}, 1)"  # noqa: S608
    sql = f"{insert} ON CONFLICT ({key_columns}) DO UPDATE SET count = {table}.count + 1"
    day = timezone.now().astimezone(datetime.UTC).date()
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [*keys.values(), day])
    except DatabaseError:
        logger.exception("Could not count a %s for %s", model._meta.label, keys)
