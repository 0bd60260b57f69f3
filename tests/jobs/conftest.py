"""Fixtures the job board's tests share."""

import pytest
from rest_framework.test import APIClient

from consortium import services as core
from tests.factories import CompanyFactory


@pytest.fixture
def key(people, home):
    """An API client with a key of the given scopes (the home institution's unless told)."""

    def make(*scopes, institution=None, admin=None):
        api_key, raw = core.create_api_key(
            institution=institution or home, name="SIS", scopes=list(scopes), by=admin or people["admin"]
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
        return client

    return make


@pytest.fixture
def company():
    return CompanyFactory(name="Moda Lombarda", slug="moda-lombarda")
