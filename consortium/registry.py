"""What the feature apps declare to the core: API scopes, notification kinds, webhook events,
privacy providers, sections of a company's page, seat handlers, impact counters,
digest providers and the interests they read.

Apps register in their AppConfig.ready(); the core reads the registry and never names an app.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiScope:
    name: str
    label: str


API_SCOPES: dict[str, ApiScope] = {}


def _register(registry: dict, item):
    """Add to a registry; two apps declaring the same name is a mistake worth stopping for."""
    if registry.get(item.name, item) != item:
        raise ValueError(f"{item.name!r} is registered twice with different definitions.")
    registry[item.name] = item
    return item


def register_api_scope(name: str, label: str) -> ApiScope:
    return _register(API_SCOPES, ApiScope(name, label))


@dataclass(frozen=True)
class NotificationKind:
    """A kind of message. Transactional kinds are about the recipient's own action or role and are
    always sent; optional kinds are sent by e-mail only after consent (students start opted out)."""

    name: str
    label: str
    template: str
    transactional: bool
    email_by_default: bool = True


NOTIFICATION_KINDS: dict[str, NotificationKind] = {}


def register_notification_kind(
    name: str, label: str, *, template: str, transactional: bool, email_by_default: bool = True
) -> NotificationKind:
    return _register(NOTIFICATION_KINDS, NotificationKind(name, label, template, transactional, email_by_default))


@dataclass(frozen=True)
class WebhookEventType:
    name: str
    label: str


WEBHOOK_EVENTS: dict[str, WebhookEventType] = {}


def register_webhook_event(name: str, label: str) -> WebhookEventType:
    return _register(WEBHOOK_EVENTS, WebhookEventType(name, label))


@dataclass(frozen=True)
class PrivacyProvider:
    """What one app holds about a person: `export` returns it as JSON-ready data; `erase` deletes it,
    or anonymises what others still rely on."""

    name: str
    export: Callable[[Any], Any]
    erase: Callable[[Any], None]


PRIVACY_PROVIDERS: dict[str, PrivacyProvider] = {}


def register_privacy_provider(name: str, *, export: Callable, erase: Callable) -> PrivacyProvider:
    return _register(PRIVACY_PROVIDERS, PrivacyProvider(name, export, erase))


# Functions that add an app's demo data after the core's, for `manage.py seed_demo`. Each is idempotent.
DEMO_SEEDERS: list[Callable[[], None]] = []


def register_demo_seeder(seeder: Callable[[], None]) -> None:
    if seeder not in DEMO_SEEDERS:
        DEMO_SEEDERS.append(seeder)


# What an app shows on a company's page (its open jobs, say): render(company, user) returns HTML, or "".
COMPANY_SECTIONS: list[Callable[[Any, Any], str]] = []


def register_company_section(render: Callable[[Any, Any], str]) -> None:
    if render not in COMPANY_SECTIONS:
        COMPANY_SECTIONS.append(render)


# Who hears about a seat plan's offers and expiries: handler(seat, event) with event "offered" or
# "expired", keyed by SeatPlan.kind ("training.week"). Called after the seat's transaction commits.
SEAT_HANDLERS: dict[str, Callable[[Any, str], None]] = {}


def register_seat_handler(kind: str, handler: Callable[[Any, str], None]) -> None:
    if SEAT_HANDLERS.get(kind, handler) is not handler:
        raise ValueError(f"{kind!r} has a seat handler already.")
    SEAT_HANDLERS[kind] = handler


@dataclass(frozen=True)
class ImpactCounter:
    """One headline figure of the consortium's activity over a period: count(start, end, institution_id)
    returns how many happened in [start, end) for that institution, or for the whole consortium when
    institution_id is None, in one query. The impact pages and the partner admins' digest list them
    in `order`."""

    name: str
    label: str
    count: Callable[[Any, Any, int | None], int]
    order: int = 100


IMPACT_COUNTERS: dict[str, ImpactCounter] = {}


def register_impact_counter(
    name: str, label: str, count: Callable[[Any, Any, int | None], int], *, order: int = 100
) -> ImpactCounter:
    return _register(IMPACT_COUNTERS, ImpactCounter(name, label, count, order))


@dataclass(frozen=True)
class ImpactBreakdown:
    """A figure of a period split by country (ISO 3166-1 alpha-2): count(start, end, institution_id)
    returns {country: n} for that institution, or the whole consortium when institution_id is None, in
    one query. With `pairs`, pairs(start, end) returns (institution_id, country, n) for every
    institution in one query, adding up to count(start, end, None): an institution's page shows the
    consortium's count of a country only where pairs prove two other institutions make it up (none
    without pairs). With `matrix` too, the consortium's page draws it as a matrix, institutions by
    countries."""

    name: str
    label: str
    count: Callable[[Any, Any, int | None], dict[str, int]]
    pairs: Callable[[Any, Any], list[tuple[int, str, int]]] | None = None
    order: int = 100
    matrix: bool = False


IMPACT_BREAKDOWNS: dict[str, ImpactBreakdown] = {}


def register_impact_breakdown(
    name: str,
    label: str,
    count: Callable[[Any, Any, int | None], dict[str, int]],
    *,
    pairs: Callable[[Any, Any], list[tuple[int, str, int]]] | None = None,
    order: int = 100,
    matrix: bool = False,
) -> ImpactBreakdown:
    return _register(IMPACT_BREAKDOWNS, ImpactBreakdown(name, label, count, pairs, order, matrix))


@dataclass(frozen=True)
class ImpactSeries:
    """A figure month by month, where its trend matters: series(start, end, institution_id) returns
    {first day of the month: n} for the months of [start, end) that had any, for that institution or the
    whole consortium when institution_id is None, in one query grouped by month
    (consortium.impact.by_month). The impact pages draw each as a line chart, in `order`."""

    name: str
    label: str
    series: Callable[[Any, Any, int | None], dict[Any, int]]
    order: int = 100


IMPACT_SERIES: dict[str, ImpactSeries] = {}


def register_impact_series(
    name: str, label: str, series: Callable[[Any, Any, int | None], dict[Any, int]], *, order: int = 100
) -> ImpactSeries:
    return _register(IMPACT_SERIES, ImpactSeries(name, label, series, order))


@dataclass(frozen=True)
class DigestProvider:
    """One section of the weekly digest. build(batch) receives a consortium.services.digests.DigestBatch
    (its users, the period's start and end, their interests) and returns {user_id: [DigestItem, …]}
    for those with something to read, newest or most urgent first, in a fixed number of queries
    whatever the batch holds. The digest shows sections by `order` and at most 10 items of each."""

    name: str
    title: str
    build: Callable[[Any], dict[int, list]]
    order: int = 100


DIGEST_PROVIDERS: dict[str, DigestProvider] = {}


def register_digest_provider(name: str, title: str, build: Callable[[Any], dict[int, list]], *, order: int = 100):
    return _register(DIGEST_PROVIDERS, DigestProvider(name, title, build, order))


# What people care about, read by digest sections of other apps: source(users) returns
# {user_id: {"countries": {"DE", …}, "fields_of_study": {"06", …}}} in one query.
DIGEST_INTERESTS: list[Callable[[list], dict[int, dict[str, set[str]]]]] = []


def register_digest_interests(source: Callable[[list], dict[int, dict[str, set[str]]]]) -> None:
    if source not in DIGEST_INTERESTS:
        DIGEST_INTERESTS.append(source)
