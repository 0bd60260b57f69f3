"""The REST API for member universities: keys and scopes, problem details, cursors, core endpoints."""

import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from consortium import services
from consortium.api.framework import ApiKeyRateThrottle
from consortium.models import ApiKey, AuditAction, AuditLog, Company, Role
from tests.factories import CompanyFactory, LiaisonNominationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_for(people):
    def make(institution, scopes=()):
        admin = people["admin"] if institution.slug == "up" else people["other_admin"]
        api_key, raw = services.create_api_key(
            institution=institution, name="Career system", scopes=list(scopes), by=admin
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        client.api_key = api_key
        return client

    return make


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    if field is not None:
        assert field in [error["field"] for error in body["errors"]], body
    return body


def test_no_credentials_get_401_with_a_challenge():
    response = APIClient().get(reverse("api:company-list"))
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == 'Api-Key realm="api"'


def test_an_unknown_key_gets_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Api-Key cck_deadbeef_not-a-real-key")
    assert assert_problem(client.get(reverse("api:company-list")), 401)["detail"] == "Unknown or revoked API key."


def test_a_revoked_key_gets_401(key_for, home, people):
    client = key_for(home)
    assert client.get(reverse("api:company-list")).status_code == 200
    services.revoke_api_key(api_key=client.api_key, by=people["admin"])
    assert_problem(client.get(reverse("api:company-list")), 401)


def test_keys_are_stored_hashed_and_record_their_last_use(key_for, home):
    from django.apps import apps
    from django.db import models as m

    client = key_for(home, ["companies:write"])
    raw = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    api_key = ApiKey.objects.get()
    assert api_key.key_hash == hashlib.sha256(raw.encode()).hexdigest() and api_key.prefix in raw
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (m.CharField, m.TextField, m.JSONField)):
                assert not model._default_manager.filter(**{f"{field.name}__icontains": raw[12:]}).exists(), field
    assert api_key.last_used_at is None
    client.get(reverse("api:me"))
    api_key.refresh_from_db()
    assert (timezone.now() - api_key.last_used_at).total_seconds() < 5


def test_me_describes_the_key(key_for, home):
    body = key_for(home, ["companies:write"]).get(reverse("api:me")).json()
    assert body == {
        "kind": "api_key",
        "institution": "up",
        "email": None,
        "full_name": None,
        "roles": [],
        "api_key": "Career system",
        "scopes": ["companies:write"],
    }


def test_me_describes_a_signed_in_person(people):
    client = APIClient()
    client.force_authenticate(people["officer"])
    body = client.get(reverse("api:me")).json()
    assert (
        body["kind"] == "user" and body["roles"] == [Role.CAREER_OFFICER] and body["email"] == people["officer"].email
    )


def test_institutions_list_carries_the_current_liaison(key_for, home, other, people, django_assert_max_num_queries):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client = key_for(home)
    with django_assert_max_num_queries(6):
        body = client.get(reverse("api:institution-list")).json()
    by_slug = {row["slug"]: row for row in body["results"]}
    assert by_slug["up"]["liaison"]["email"] == people["officer"].email
    assert by_slug["ua"]["liaison"] is None
    assert by_slug["ua"]["country"] == "IT"


def test_liaison_endpoint(key_for, home, other, people):
    LiaisonNominationFactory(institution=home, officer=people["officer"])
    client = key_for(home)
    assert (
        client.get(reverse("api:institution-liaison", args=["up"])).json()["full_name"] == people["officer"].full_name
    )
    assert_problem(client.get(reverse("api:institution-liaison", args=["ua"])), 404)
    assert_problem(client.get(reverse("api:institution-detail", args=["nowhere"])), 404)


def test_a_key_with_the_scope_adds_a_company_and_the_audit_log_names_the_key(key_for, home):
    client = key_for(home, ["companies:write"])
    response = client.post(
        reverse("api:company-list"),
        {"name": "Lisboa Labs", "country": "pt", "city": "Lisboa", "sector": "J", "size": "small"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "lisboa-labs" and response.json()["country"] == "PT"
    entry = AuditLog.objects.get(action=AuditAction.COMPANY_CREATED)
    assert entry.actor is None and entry.api_key == client.api_key
    assert entry.actor_repr == f"API key Career system ({client.api_key.prefix}…)"


def test_a_key_without_the_scope_gets_403(key_for, home):
    response = key_for(home).post(
        reverse("api:company-list"), {"name": "X", "country": "PT", "sector": "J", "size": "small"}
    )
    assert_problem(response, 403)
    assert not Company.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("officer", 201), ("student", 403)])
def test_people_write_by_their_role(people, who, status):
    client = APIClient()
    client.force_authenticate(people[who])
    response = client.post(reverse("api:company-list"), {"name": "Y", "country": "PT", "sector": "J", "size": "small"})
    assert response.status_code == status


def test_duplicate_company_names_the_field(key_for, home):
    CompanyFactory(name="Lisboa Labs", country="PT")
    response = key_for(home, ["companies:write"]).post(
        reverse("api:company-list"), {"name": "lisboa labs", "country": "PT", "sector": "J", "size": "small"}
    )
    body = assert_problem(response, 400, field="name")
    assert body["errors"] == [{"field": "name", "message": "Lisboa Labs is already in the network."}]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Z", "country": "ZZ", "sector": "J", "size": "small"}, "country"),
        ({"name": "Z", "country": "PT", "sector": "J", "size": "huge"}, "size"),
        ({"name": ["not", "a", "string"], "country": "PT", "sector": "J", "size": "small"}, "name"),
        ({"name": "Z", "country": "PT", "sector": "J", "size": "small", "owner": "me"}, "owner"),
        ({"country": "PT", "sector": "J", "size": "small"}, "name"),
        ({"name": "Z", "country": "PT", "sector": "J", "size": "small", "website": "javascript:alert(1)"}, "website"),
    ],
)
def test_bad_fields_are_named(key_for, home, payload, field):
    assert_problem(key_for(home, ["companies:write"]).post(reverse("api:company-list"), payload), 400, field=field)
    assert not Company.objects.exists()


def test_malformed_json_is_a_400_problem(key_for, home):
    response = key_for(home, ["companies:write"]).generic(
        "POST", reverse("api:company-list"), '{"name": ', content_type="application/json"
    )
    assert_problem(response, 400)


def test_a_body_that_is_not_an_object_is_a_400_problem(key_for, home):
    response = key_for(home, ["companies:write"]).post(reverse("api:company-list"), [1, 2], format="json")
    assert_problem(response, 400)


def test_an_oversized_body_is_refused_before_it_is_read(key_for, home):
    body = json.dumps({"name": "x" * (1024 * 1024 + 10)})
    response = key_for(home, ["companies:write"]).generic(
        "POST", reverse("api:company-list"), body, content_type="application/json"
    )
    assert_problem(response, 413)


def test_a_body_that_is_not_json_is_a_415_problem(key_for, home):
    response = key_for(home, ["companies:write"]).generic(
        "POST", reverse("api:company-list"), "name=x", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(response, 415)


def test_cursor_pagination_walks_every_row_once_even_when_timestamps_tie(key_for, home, django_assert_max_num_queries):
    for n in range(250):
        CompanyFactory(name=f"C{n}")
    Company.objects.update(updated_at=timezone.now() - timezone.timedelta(minutes=1))  # one bulk change
    client = key_for(home)
    seen, url, pages = [], reverse("api:company-list") + "?page_size=100", 0
    while url:
        with django_assert_max_num_queries(5):
            body = client.get(url).json()
        seen += [row["slug"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert len(seen) == 250 == len(set(seen)) and pages == 3


def test_rows_changed_a_moment_ago_wait_for_the_next_sync(key_for, home, settings):
    settings.SYNC_SETTLE_SECONDS = 5
    CompanyFactory(name="Just now")
    settled = CompanyFactory(name="Earlier")
    Company.objects.filter(pk=settled.pk).update(updated_at=timezone.now() - timezone.timedelta(seconds=10))
    body = key_for(home).get(reverse("api:company-list")).json()
    assert [row["slug"] for row in body["results"]] == [settled.slug]


def test_a_new_liaison_shows_in_an_incremental_sync(key_for, home, people):
    client = key_for(home)
    since = timezone.now().isoformat()
    services.nominate_liaison(institution=home, officer=people["officer"], by=people["admin"])
    body = client.get(reverse("api:institution-list"), {"updated_since": since}).json()
    assert [(row["slug"], row["liaison"]["email"]) for row in body["results"]] == [("up", people["officer"].email)]


def test_syncs_learn_that_an_institution_left(key_for, home, other):
    client = key_for(home)
    other.is_active = False
    other.save()
    rows = {row["slug"]: row["is_active"] for row in client.get(reverse("api:institution-list")).json()["results"]}
    assert rows == {"up": True, "ua": False}


def test_keys_of_an_institution_that_left_stop_working(key_for, home, other):
    client = key_for(other, ["companies:write"])
    other.is_active = False
    other.save()
    assert_problem(client.get(reverse("api:me")), 401)
    assert_problem(
        client.post(reverse("api:company-list"), {"name": "X", "country": "PT", "sector": "J", "size": "small"}), 401
    )


def test_an_invalid_cursor_is_a_400_problem_naming_it(key_for, home):
    assert_problem(key_for(home).get(reverse("api:company-list") + "?cursor=garbage"), 400, field="cursor")


def test_updated_since_returns_only_changes(key_for, home):
    old = CompanyFactory(name="Old")
    Company.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timezone.timedelta(days=3))
    new = CompanyFactory(name="New")
    since = (timezone.now() - timezone.timedelta(days=1)).isoformat()
    body = key_for(home).get(reverse("api:company-list"), {"updated_since": since}).json()
    assert [row["slug"] for row in body["results"]] == [new.slug]


def test_a_malformed_updated_since_is_named(key_for, home):
    assert_problem(
        key_for(home).get(reverse("api:company-list"), {"updated_since": "yesterday"}), 400, field="updated_since"
    )


def test_throttled_keys_get_429_with_retry_after(key_for, home, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "2/min", raising=False)
    client = key_for(home)
    assert client.get(reverse("api:me")).status_code == 200
    assert client.get(reverse("api:me")).status_code == 200
    response = client.get(reverse("api:me"))
    assert_problem(response, 429)
    assert 0 < int(response["Retry-After"]) <= 60


def test_the_throttle_counts_per_minute(key_for, home, monkeypatch):
    import time_machine

    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "2/min", raising=False)
    client = key_for(home)
    with time_machine.travel("2026-11-30 10:00:05Z", tick=False) as clock:
        assert [client.get(reverse("api:me")).status_code for _ in range(3)] == [200, 200, 429]
        clock.move_to("2026-11-30 10:00:59Z")
        response = client.get(reverse("api:me"))
        assert response.status_code == 429 and response["Retry-After"] == "1"
        clock.move_to("2026-11-30 10:01:00Z")  # a new minute
        assert [client.get(reverse("api:me")).status_code for _ in range(3)] == [200, 200, 429]


def test_the_throttle_counts_per_key(key_for, home, other, monkeypatch):
    monkeypatch.setattr(ApiKeyRateThrottle, "rate", "1/min", raising=False)
    first, second = key_for(home), key_for(other)
    assert first.get(reverse("api:me")).status_code == 200
    assert second.get(reverse("api:me")).status_code == 200
    assert first.get(reverse("api:me")).status_code == 429


def test_session_writes_need_csrf(people, client):
    client.force_login(people["officer"])
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(people["officer"])
    response = api.post(reverse("api:company-list"), {"name": "Q", "country": "PT", "sector": "J", "size": "small"})
    assert_problem(response, 403)
    assert "CSRF" in response.json()["detail"]


def test_the_schema_documents_problem_responses(client):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/companies/"]["post"]
    assert {"400", "401", "403", "413", "429"} <= set(operation["responses"])
    assert "apiKey" in schema["components"]["securitySchemes"]


def test_updated_since_accepts_any_iso_offset(key_for, home):
    CompanyFactory()
    response = key_for(home).get(reverse("api:company-list"), {"updated_since": "2000-04-02T10:48:27.1-17:09"})
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_unsupported_methods_get_405_not_500(key_for, home):
    client = key_for(home)
    for url in (reverse("api:institution-list"), reverse("api:institution-detail", args=["up"])):
        assert_problem(client.generic("TRACE", url), 405)
        assert_problem(client.delete(url), 405)


def test_unknown_api_paths_answer_in_problem_details(key_for, home):
    assert_problem(key_for(home).get("/api/v1/companies/.exe/"), 404)
    assert_problem(key_for(home).get("/api/v1/no-such-thing/"), 404)


def test_unknown_pages_answer_in_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_throttled_people_get_429_too(people, monkeypatch):
    from consortium.api.framework import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "rate", "1/min", raising=False)
    client = APIClient()
    client.force_authenticate(people["officer"])
    assert client.get(reverse("api:me")).status_code == 200
    assert_problem(client.get(reverse("api:me")), 429)
    other = APIClient()
    other.force_authenticate(people["student"])
    assert other.get(reverse("api:me")).status_code == 200


def test_the_json_renderer_writes_what_drf_writes():
    """orjson writes the answers; dates, decimals and lazy translations still come out as DRF writes them."""
    import datetime
    import decimal
    import zoneinfo

    from django.utils.translation import gettext_lazy
    from rest_framework.renderers import JSONRenderer

    from consortium.api.framework import FastJSONRenderer

    data = {
        "moment": datetime.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=datetime.UTC),
        "local": datetime.datetime(2026, 3, 1, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid")),
        "day": datetime.date(2026, 3, 1),
        "amount": decimal.Decimal("1500.50"),
        "label": gettext_lazy("Search"),
        "text": "line\u2028paragraph\u2029 ünïcödé ✓",
        "numbers": [1, 2.5, None, True],
        7: "an integer key",
    }
    assert FastJSONRenderer().render(data) == JSONRenderer().render(data)
    # orjson refuses integers beyond 64 bits; DRF's encoder writes them.
    assert FastJSONRenderer().render({"n": 2**70}) == b'{"n":1180591620717411303424}'
    # An indented answer, when asked for, is DRF's.
    assert FastJSONRenderer().render({"a": 1}, "application/json; indent=2") == b'{\n  "a": 1\n}'


def test_lists_filter_only_when_a_filter_is_named(key_for, home):
    """Without a filter in the query the filter form is not built; with one, it filters."""
    companies = CompanyFactory.create_batch(3)
    client = key_for(home)
    plain = client.get(reverse("api:company-list")).json()
    assert {company.slug for company in companies} <= {row["slug"] for row in plain["results"]}
    assert plain == client.get(reverse("api:company-list"), {"updated_since": ""}).json()
    named = client.get(reverse("api:company-list"), {"q": companies[1].name}).json()
    assert [row["slug"] for row in named["results"]] == [companies[1].slug]
    assert_problem(client.get(reverse("api:company-list"), {"size": "enormous"}), 400, field="size")
