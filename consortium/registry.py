"""What the feature apps declare to the core: API scopes, notification kinds, webhook events,
privacy providers, sections of a company's page, seat handlers and impact counters.

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
