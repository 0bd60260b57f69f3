"""Fixtures matching's tests share: people with profiles, at home and at another institution."""

import pytest

from consortium.models import Role
from matching.models import Intent, Visibility
from matching.services import save_profile


@pytest.fixture
def profile_of(django_capture_on_commit_callbacks):
    """Save a profile through the service, running the recomputation it enqueues."""

    def make(user, *, looks_for=(), offers=(), topics=(), visibility=Visibility.CONSORTIUM, **kwargs):
        kwargs.setdefault("headline", f"{user.full_name}'s headline")
        with django_capture_on_commit_callbacks(execute=True):
            return save_profile(
                user=user, looks_for=list(looks_for), offers=list(offers), topics=list(topics), visibility=visibility,
                **kwargs,
            )  # fmt: skip

    return make


@pytest.fixture
def mentee(make_user, other, profile_of):
    """A student at the other institution looking for a fintech mentor."""
    user = make_user(Role.STUDENT, institution=other, full_name="Camille Martin", email="camille@ua.example")
    profile_of(user, looks_for=[Intent.MENTOR], topics=["fintech"], languages=[("es", "B1"), ("fr", "C2")])
    return user


@pytest.fixture
def mentor(make_user, home, profile_of):
    """An entrepreneur at the home institution offering mentoring in fintech."""
    user = make_user(Role.COMPANY_CONTACT, full_name="Elena Navarro", email="elena@fintech.example")
    profile_of(user, offers=[Intent.MENTOR], topics=["fintech", "payments"], languages=[("es", "C2")])
    return user
