"""Summer-school services: editions, the BIP check, challenges, applying, reviews, decisions with seats."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from consortium.models import Notification, Seat, SeatStatus
from consortium.services import seats as seat_service
from summerschools import tasks
from summerschools.models import Application, ApplicationStatus, Edition, FollowUp
from summerschools.services import selection
from tests.factories import CompanyFactory, CompanyRelationshipFactory, InstitutionFactory

from .factories import ApplicationFactory, pdf


def _draft(host, **fields):
    today = timezone.localdate()
    values = {
        "title": "Lab", "slug": "lab", "theme": "Health tech", "year": today.year, "host": host,
        "starts_on": today + datetime.timedelta(days=60), "ends_on": today + datetime.timedelta(days=69),
        "on_site_days": 10, "place": "blended", "city": "Madrid", "ects": Decimal(4),
        "description": "Build a **venture** <script>alert(1)</script>",
        "call_opens_at": timezone.now(), "call_closes_at": timezone.now() + datetime.timedelta(days=20),
    }  # fmt: skip
    return Edition(**(values | fields))


def _apply(edition, student, **kwargs):
    values = {"motivation": "I want to build a venture.", "cv": pdf(), "languages": [("en", "C1")],
              "field_of_study": "04"}  # fmt: skip
    return selection.apply(edition=edition, student=student, **(values | kwargs))


def _notices(user):
    return list(Notification.objects.filter(recipient=user, kind="summerschools.application_status").order_by("pk"))


# Editions


def test_host_staff_create_an_edition_with_seats_criteria_and_organisers(host, home, other, cast):
    edition = selection.save_edition(
        edition=_draft(host),
        capacity=40,
        quotas={home: 8, other: 8},
        co_organisers=[home, other],
        organisers=[cast["organiser"]],
        criteria=[("Motivation", 3), ("Team fit", 1)],
        by=cast["host_organiser"],
    )
    assert edition.seat_plan.kind == "summerschools.edition" and edition.seat_plan.offer_hours == 168
    assert dict(edition.seat_plan.quotas.values_list("institution_id", "seats")) == {home.pk: 8, other.pk: 8}
    assert set(edition.organisers.all()) == {cast["host_organiser"], cast["organiser"]}
    assert [(c.name, c.weight) for c in edition.criteria.all()] == [("Motivation", 3), ("Team fit", 1)]
    assert "<strong>venture</strong>" in edition.description_html and "<script" not in edition.description_html


def test_an_edition_ending_before_it_starts_is_refused(host, cast):
    draft = _draft(host)
    draft.ends_on = draft.starts_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        selection.save_edition(edition=draft, capacity=40, by=cast["host_organiser"])
    assert caught.value.message_dict == {"ends_on": ["The last day cannot be before the first day."]}
    assert not Edition.objects.exists()


def test_an_edition_in_an_unknown_time_zone_is_refused(host, cast):
    with pytest.raises(ValidationError) as caught:
        selection.save_edition(
            edition=_draft(host, time_zone="Europe/Atlantis"), capacity=40, by=cast["host_organiser"]
        )
    assert caught.value.message_dict == {"time_zone": ["“Europe/Atlantis” is not a known time zone."]}
    assert not Edition.objects.exists()


def test_quotas_above_the_seats_are_refused_by_the_seats_service(host, home, other, cast):
    with pytest.raises(ValidationError) as caught:
        selection.save_edition(edition=_draft(host), capacity=10, quotas={home: 8, other: 8}, by=cast["host_organiser"])
    assert caught.value.message_dict == {"quotas": ["The quotas add up to 16 seats, more than the capacity of 10."]}
    assert not Edition.objects.exists()


def test_staff_of_another_institution_cannot_create_an_edition_for_the_host(host, cast):
    with pytest.raises(PermissionDenied):
        selection.save_edition(edition=_draft(host), capacity=40, by=cast["organiser"])


def test_organisers_must_work_for_an_organising_institution(host, cast):
    with pytest.raises(ValidationError) as caught:
        selection.save_edition(
            edition=_draft(host), capacity=40, organisers=[cast["other_organiser"]], by=cast["host_organiser"]
        )
    assert "organisers" in caught.value.message_dict
    assert not Edition.objects.exists()


def test_organisers_edit_an_edition_and_others_may_not(edition, host, home, other, cast):
    edition.title = "Madrid Venture Lab 2"
    for outsider in (cast["colleague"], cast["student"], cast["other_student"]):
        with pytest.raises(PermissionDenied):
            selection.save_edition(edition=edition, capacity=12, quotas={home: 2, other: 2}, by=outsider)
    selection.save_edition(edition=edition, capacity=12, quotas={home: 3, other: 3}, by=cast["other_organiser"])
    edition.refresh_from_db()
    assert edition.title == "Madrid Venture Lab 2" and edition.seat_plan.capacity == 12
    assert dict(edition.seat_plan.quotas.values_list("institution_id", "seats")) == {home.pk: 3, other.pk: 3}


def test_the_bip_check_says_why_an_edition_does_not_qualify(edition):
    # Host and home are both Spanish, the other partner Italian: two countries.
    edition.on_site_days, edition.ects, edition.place = 4, Decimal("2.5"), "on_site"
    assert selection.bip_shortfalls(edition) == [
        "The institutions must come from at least 3 countries; there are 2.",
        "The part on site must last 5 to 30 days; it lasts 4.",
        "A BIP combines the days on site with a virtual part: make the school blended.",
        "It must award at least 3 ECTS credits; it awards 2.5.",
    ]


def test_three_institutions_from_three_countries_qualify(edition):
    edition.co_organisers.add(InstitutionFactory(country="FR"))
    assert selection.bip_shortfalls(edition) == []


def test_a_challenge_needs_a_company_the_host_works_with(edition, host, home, cast):
    stranger = CompanyFactory(name="Stranger SpA")
    CompanyRelationshipFactory(institution=home, company=stranger)  # a partner's, not the host's
    with pytest.raises(ValidationError) as caught:
        selection.add_challenge(edition=edition, company=stranger, title="Recycling", by=cast["host_organiser"])
    assert caught.value.message_dict == {
        "company": ["Universidad Autónoma de Madrid has no relationship with Stranger SpA in the company network."]
    }
    partner = CompanyRelationshipFactory(institution=host).company
    challenge = selection.add_challenge(
        edition=edition, company=partner, title="Recycling", mentor=cast["host_organiser"], by=cast["host_organiser"]
    )
    assert list(edition.challenges.all()) == [challenge]


# Applying


def test_a_student_applies_once_and_is_told(edition, cast):
    application = _apply(edition, cast["student"])
    assert application.status == ApplicationStatus.SUBMITTED and application.institution == cast["student"].institution
    assert application.cv.read().startswith(b"%PDF")
    assert [n.title for n in _notices(cast["student"])] == ["Your application to “Madrid Venture Lab” is in"]
    with pytest.raises(ValidationError, match="You have applied to this summer school already."):
        _apply(edition, cast["student"])
    assert Application.objects.count() == 1


def test_applying_after_the_call_closes_is_refused(edition, cast):
    closed = time_machine.travel(edition.call_closes_at + datetime.timedelta(minutes=1))
    with closed, pytest.raises(ValidationError, match="The call for this summer school is closed."):
        _apply(edition, cast["student"])
    assert not Application.objects.exists()


def test_a_cv_that_is_not_a_pdf_is_refused(edition, cast):
    with pytest.raises(ValidationError) as caught:
        _apply(edition, cast["student"], cv=pdf("cv.pdf", b"<html><script>alert(1)</script></html>"))
    assert caught.value.message_dict == {"cv": ["This is not a PDF file. Upload a PDF."]}
    assert not Application.objects.exists()


def test_staff_cannot_apply(edition, cast):
    with pytest.raises(PermissionDenied):
        _apply(edition, cast["colleague"])


# Reviews


def test_only_organisers_of_the_applicants_own_institution_review(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    scores = dict.fromkeys(edition.criteria.all(), 3)
    for outsider in (cast["host_organiser"], cast["other_organiser"], cast["colleague"], cast["student"]):
        with pytest.raises(PermissionDenied):
            selection.review_application(application=application, reviewer=outsider, scores=scores)
    review = selection.review_application(application=application, reviewer=cast["organiser"], scores=scores)
    assert review.scores.count() == 2


def test_the_score_is_the_mean_of_weighted_reviews_without_conflicts(edition, cast, make_user):
    second = make_user("career_officer")
    third = make_user("academic")
    edition.organisers.add(second, third)
    motivation, fit = edition.criteria.all()  # weights 2 and 1
    application = ApplicationFactory(edition=edition, student=cast["student"])
    unscored = ApplicationFactory(edition=edition, student=cast["classmate"])
    selection.review_application(application=application, reviewer=cast["organiser"], scores={motivation: 5, fit: 2})
    selection.review_application(application=application, reviewer=second, scores={motivation: 2, fit: 5})
    selection.review_application(application=application, reviewer=third, conflict_of_interest=True)
    # (5*2 + 2*1) / 3 = 4.0 and (2*2 + 5*1) / 3 = 3.0: mean 3.5; the conflicted reviewer does not count.
    assert selection.weighted_scores([application, unscored]) == {application.pk: 3.5, unscored.pk: None}


def test_a_review_must_score_every_criterion(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    motivation, _fit = edition.criteria.all()
    with pytest.raises(ValidationError, match="Score every criterion."):
        selection.review_application(application=application, reviewer=cast["organiser"], scores={motivation: 4})


# Decisions and seats


def test_accepting_offers_a_seat_for_seven_days_and_the_student_confirms(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    selection.accept_application(application=application, by=cast["organiser"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and application.seat.status == SeatStatus.OFFERED
    assert application.seat.offer_expires_at - application.seat.offered_at == datetime.timedelta(days=7)
    assert _notices(cast["student"])[-1].title == "A seat at “Madrid Venture Lab” is offered to you"
    selection.confirm_application(application=application, by=cast["student"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.CONFIRMED and application.seat.status == SeatStatus.CONFIRMED
    assert _notices(cast["student"])[-1].title == "Your seat at “Madrid Venture Lab” is confirmed"


def test_accepting_beyond_the_quota_is_refused(edition, cast, make_user):
    first, second, third = (ApplicationFactory(edition=edition, student=make_user("student")) for _n in range(3))
    selection.accept_application(application=first, by=cast["organiser"])
    selection.accept_application(application=second, by=cast["organiser"])
    with pytest.raises(ValidationError) as caught:
        selection.accept_application(application=third, by=cast["organiser"])
    assert caught.value.messages == ["The 2 seats of Universidad de Prueba's quota are taken."]
    third.refresh_from_db()
    assert third.status == ApplicationStatus.SUBMITTED and third.seat is None


def test_other_institutions_organisers_cannot_decide(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    for outsider in (cast["other_organiser"], cast["host_organiser"], cast["colleague"], cast["student"]):
        with pytest.raises(PermissionDenied):
            selection.accept_application(application=application, by=outsider)
    assert not Seat.objects.exists()


def test_an_unconfirmed_offer_expires_and_passes_to_the_waitlist(edition, cast, make_user):
    first, second = (ApplicationFactory(edition=edition, student=make_user("student")) for _n in range(2))
    waiting = ApplicationFactory(edition=edition, student=cast["student"])
    selection.accept_application(application=first, by=cast["organiser"])
    selection.accept_application(application=second, by=cast["organiser"])
    selection.waitlist_application(application=waiting, by=cast["organiser"])
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.WAITLISTED and waiting.seat.status == SeatStatus.WAITLISTED
    assert _notices(cast["student"])[-1].title == "You are on the waitlist for “Madrid Venture Lab”"
    selection.confirm_application(application=second, by=second.student)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        assert seat_service.expire_offers() == 1
        assert seat_service.expire_offers() == 0  # a second run changes nothing
        first.refresh_from_db()
        waiting.refresh_from_db()
        assert first.status == ApplicationStatus.EXPIRED
        assert _notices(first.student)[-1].title == "Your offer for “Madrid Venture Lab” has expired"
        assert waiting.status == ApplicationStatus.ACCEPTED and waiting.seat.status == SeatStatus.OFFERED
        assert _notices(cast["student"])[-1].title == "A seat at “Madrid Venture Lab” is offered to you"
        with pytest.raises(ValidationError, match="There is no offered seat to confirm."):
            selection.confirm_application(application=first, by=first.student)
        selection.confirm_application(application=waiting, by=cast["student"])
    assert Seat.objects.holding().filter(plan=edition.seat_plan).count() == 2


def test_waitlisting_queues_even_with_room_left(edition, cast, make_user):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    selection.waitlist_application(application=application, by=cast["organiser"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITLISTED and application.seat.status == SeatStatus.WAITLISTED
    # The quota's seats stay the organiser's to give: the next acceptance is not taken by the line.
    chosen = [ApplicationFactory(edition=edition, student=make_user("student")) for _n in range(2)]
    for other in chosen:
        selection.accept_application(application=other, by=cast["organiser"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WAITLISTED
    assert [a.status for a in Application.objects.filter(pk__in=[c.pk for c in chosen])] == [
        ApplicationStatus.ACCEPTED
    ] * 2


def test_a_seat_freed_later_goes_to_the_waitlisted_student_dated_by_the_offer(edition, cast, make_user):
    start = timezone.now()
    taken = ApplicationFactory(edition=edition, student=make_user("student"))
    selection.accept_application(application=taken, by=cast["organiser"])
    waiting = ApplicationFactory(edition=edition, student=cast["student"])
    with time_machine.travel(start + datetime.timedelta(days=1), tick=False):
        selection.waitlist_application(application=waiting, by=cast["organiser"])
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        seat_service.release_seat(seat=taken.seat)
    waiting.refresh_from_db()
    assert waiting.status == ApplicationStatus.ACCEPTED
    assert waiting.decided_at == start + datetime.timedelta(days=3)


def test_rejecting_tells_the_student(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    selection.reject_application(application=application, by=cast["organiser"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert _notices(cast["student"])[-1].title == "Your application to “Madrid Venture Lab” was not selected"
    with pytest.raises(ValidationError):
        selection.accept_application(application=application, by=cast["organiser"])


def test_only_the_student_confirms_their_seat(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    selection.accept_application(application=application, by=cast["organiser"])
    for other in (cast["organiser"], cast["classmate"]):
        with pytest.raises(PermissionDenied):
            selection.confirm_application(application=application, by=other)


# Follow-up


def test_the_follow_up_form_closes_after_the_schools_last_day(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED)
    last_day = datetime.datetime.combine(edition.ends_on, datetime.time(20), datetime.UTC)
    with time_machine.travel(last_day, tick=False):
        selection.save_follow_up(application=application, by=cast["student"], arrival=timezone.now(),
                                dietary_needs="", emergency_contact="Mum +34 600 000 000")  # fmt: skip
    with time_machine.travel(last_day + datetime.timedelta(days=1), tick=False), pytest.raises(PermissionDenied):
        selection.save_follow_up(application=application, by=cast["student"], arrival=timezone.now(),
                                dietary_needs="Vegan", emergency_contact="Dad +34 600 000 001")  # fmt: skip
    assert FollowUp.objects.get(application=application).emergency_contact == "Mum +34 600 000 000"


def test_the_follow_up_form_is_deleted_30_days_after_the_school_ends(edition, cast):
    application = ApplicationFactory(edition=edition, student=cast["student"])
    with pytest.raises(PermissionDenied):
        selection.save_follow_up(application=application, by=cast["student"], arrival=timezone.now(),
                                dietary_needs="", emergency_contact="Mum +34 600 000 000")  # fmt: skip
    selection.accept_application(application=application, by=cast["organiser"])
    selection.confirm_application(application=application, by=cast["student"])
    application.refresh_from_db()
    selection.save_follow_up(application=application, by=cast["student"], arrival=timezone.now(),
                            dietary_needs="Vegetarian", emergency_contact="Mum +34 600 000 000")  # fmt: skip
    with time_machine.travel(datetime.datetime.combine(edition.ends_on, datetime.time(12), datetime.UTC)
                             + datetime.timedelta(days=29)):  # fmt: skip
        assert tasks.delete_old_follow_ups() == 0
    with time_machine.travel(datetime.datetime.combine(edition.ends_on, datetime.time(12), datetime.UTC)
                             + datetime.timedelta(days=30)):  # fmt: skip
        assert tasks.delete_old_follow_ups() == 1
    with time_machine.travel(datetime.datetime.combine(edition.ends_on, datetime.time(12), datetime.UTC)
                             + datetime.timedelta(days=31)):  # fmt: skip
        assert tasks.delete_old_follow_ups() == 0
    assert not FollowUp.objects.exists()
    assert Application.objects.filter(pk=application.pk).exists()
