"""Who sees whom, naming people, moderation and load: the rules a review found holes in."""

import datetime
import threading
import time

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from consortium.models import Notification, Role
from matching import services
from matching.models import (
    Block,
    CooperationOffer,
    Intent,
    Introduction,
    IntroductionStatus,
    MatchingProfile,
    Recommendation,
    UserReport,
    Visibility,
)
from matching.services import introductions as introductions_module
from tests.consortium.test_api import assert_problem

pytestmark = pytest.mark.django_db


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def offer_by(owner, **kwargs):
    fields = {"kind": "startup", "title": "Student wallet", "summary": "A wallet.", "sought": "A mentor."}
    fields |= {"seeks": [Intent.MENTOR], "topics": ["payments"]} | kwargs
    return services.save_offer(by=owner, **fields)


# 1. Hidden profiles open only while a request waits for the person asked, or once accepted.


def profile_status(client, viewer, profile) -> int:
    client.force_login(viewer)
    return client.get(reverse("matching:profile", args=[profile.pk])).status_code


def test_a_waiting_request_shows_the_asker_to_the_person_asked_only(client, make_user, other, mentor, profile_of):
    asker = make_user(Role.STUDENT, institution=other, full_name="Shy Student")
    profile_of(asker, looks_for=[Intent.MENTOR], topics=["fintech"], visibility=Visibility.HIDDEN)
    introduction = services.request_introduction(sender=asker, profile=mentor.matching_profile, message="Hi")
    assert profile_status(client, mentor, asker.matching_profile) == 200
    # The person asked hides their profile meanwhile: asking opened nothing for the asker.
    MatchingProfile.objects.filter(user=mentor).update(visibility=Visibility.HIDDEN)
    assert profile_status(client, asker, mentor.matching_profile) == 404
    services.accept_introduction(introduction=introduction, by=mentor)
    assert profile_status(client, asker, mentor.matching_profile) == 200
    assert profile_status(client, mentor, asker.matching_profile) == 200


@pytest.mark.parametrize("end", ["decline", "withdraw", "expire"])
def test_a_request_that_ended_without_acceptance_opens_nothing(client, make_user, other, mentor, profile_of, end):
    asker = make_user(Role.STUDENT, institution=other)
    profile_of(asker, looks_for=[Intent.MENTOR], topics=["fintech"], visibility=Visibility.HIDDEN)
    introduction = services.request_introduction(sender=asker, profile=mentor.matching_profile, message="Hi")
    if end == "decline":
        services.decline_introduction(introduction=introduction, by=mentor)
    elif end == "withdraw":
        services.withdraw_introduction(introduction=introduction, by=asker)
    else:
        services.remind_and_expire_introductions(now=timezone.now() + datetime.timedelta(days=15))
    MatchingProfile.objects.filter(user=mentor).update(visibility=Visibility.HIDDEN)
    assert profile_status(client, mentor, asker.matching_profile) == 404
    assert profile_status(client, asker, mentor.matching_profile) == 404


def test_asking_about_an_offer_does_not_open_its_owners_hidden_profile(client, make_user, other, mentee, profile_of):
    owner = make_user(Role.STUDENT, institution=other, full_name="Hidden Founder")
    profile_of(owner, offers=[Intent.CO_FOUNDER], visibility=Visibility.HIDDEN, bio="PRIVATE-BIO")
    offer = offer_by(owner)
    introduction = services.request_introduction(sender=mentee, offer=offer, message="Hi")
    client.force_login(mentee)
    assert client.get(reverse("matching:profile", args=[owner.matching_profile.pk])).status_code == 404
    page = client.get(reverse("matching:introduction", args=[introduction.pk])).content.decode()
    assert reverse("matching:profile", args=[owner.matching_profile.pk]) not in page


# 2. and 8. Offers read back by their own rules; a changed offer recomputes those it concerns.


def test_an_offer_narrowed_to_its_institution_is_no_longer_shown_elsewhere(make_user, other, mentor):
    owner = make_user(Role.ACADEMIC, institution=other)
    offer = offer_by(owner, summary="SECRET-SUMMARY")
    services.recompute_recommendations(user=mentor)
    assert [r.offer_id for r in Recommendation.objects.shown_to(mentor)] == [offer.pk]
    # Narrowed without the recomputation running (as when the worker is behind): not read back.
    CooperationOffer.objects.filter(pk=offer.pk).update(visibility=Visibility.INSTITUTION)
    assert Recommendation.objects.filter(user=mentor, offer=offer).exists()
    assert Recommendation.objects.shown_to(mentor) == []
    body = signed_in(mentor).get(reverse("api:matching-recommendation-list")).content.decode()
    assert "SECRET-SUMMARY" not in body


@pytest.mark.parametrize("change", ["narrow", "close"])
def test_changing_an_offer_recomputes_the_lists_it_is_stored_in(
    make_user, other, mentor, django_capture_on_commit_callbacks, change
):
    owner = make_user(Role.ACADEMIC, institution=other)
    offer = offer_by(owner)
    services.recompute_recommendations(user=mentor)
    assert Recommendation.objects.filter(user=mentor, offer=offer).exists()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "narrow":
            offer_by(owner, offer=offer, visibility=Visibility.INSTITUTION)
        else:
            services.close_offer(offer=offer, by=owner)
    assert not Recommendation.objects.filter(user=mentor, offer=offer).exists()


def test_a_new_offer_reaches_those_it_suits_without_waiting_for_the_night(
    make_user, other, mentor, django_capture_on_commit_callbacks
):
    owner = make_user(Role.ACADEMIC, institution=other)
    with django_capture_on_commit_callbacks(execute=True):
        offer = offer_by(owner)
    assert Recommendation.objects.filter(user=mentor, offer=offer).exists()


def test_an_offer_whose_owner_is_full_this_month_is_not_recommended(make_user, other, mentor, profile_of):
    owner = make_user(Role.ACADEMIC, institution=other)
    profile_of(owner, offers=[Intent.ADVICE], intros_per_month=1)
    offer = offer_by(owner)
    services.recompute_recommendations(user=mentor)
    assert [r.offer_id for r in Recommendation.objects.shown_to(mentor)] == [offer.pk]
    services.request_introduction(sender=make_user(Role.STUDENT), offer=offer, message="Hi")
    assert Recommendation.objects.shown_to(mentor) == []  # read back
    services.recompute_recommendations(user=mentor)
    assert not Recommendation.objects.filter(user=mentor, offer=offer).exists()  # not stored again


# 3. A person without a name is "a member of UA", never their e-mail address.


def test_someone_without_a_name_is_never_named_by_their_email(
    client, make_user, other, home, mentee, profile_of, django_capture_on_commit_callbacks
):
    nameless = make_user(Role.COMPANY_CONTACT, full_name="", email="secret.nameless@corp.example")
    profile_of(nameless, offers=[Intent.MENTOR], topics=["fintech"], headline="Mentor", intros_per_month=1)
    services.recompute_recommendations(user=mentee)
    api = signed_in(mentee)
    body = api.get(reverse("api:matching-recommendation-list")).json()
    assert body[0]["profile"]["person"]["name"] == f"A member of {home.short_name}"
    assert body[0]["reason"].startswith(f"You look for a mentor in fintech; A member of {home.short_name} offers")
    client.force_login(mentee)
    pages = [
        client.get(reverse("matching:index")),
        client.get(reverse("matching:profile", args=[nameless.matching_profile.pk])),
    ]
    services.request_introduction(sender=make_user(Role.STUDENT), profile=nameless.matching_profile, message="Hi")
    with pytest.raises(ValidationError) as refused:
        services.request_introduction(sender=mentee, profile=nameless.matching_profile, message="Hi")
    assert f"A member of {home.short_name} takes no more introductions" in str(refused.value)
    with django_capture_on_commit_callbacks(execute=True):
        asked = services.request_introduction(sender=nameless, profile=mentee.matching_profile, message="Hello")
    pages += [
        client.get(reverse("matching:introduction", args=[asked.pk])),
        client.get(reverse("matching:introductions")),
    ]
    pages.append(api.get(reverse("api:matching-introduction-detail", args=[asked.pk])))
    for page in pages:
        assert page.status_code == 200
        assert "secret.nameless" not in page.content.decode()
    notification = Notification.objects.get(recipient=mentee, kind="matching.introduction_requested")
    assert notification.title.startswith(f"A member of {home.short_name} asks")
    assert "secret.nameless" not in notification.title + notification.body


# 4. Two people asking each other at once: one request, and a clear answer for the other.


def test_asking_someone_who_already_asked_you_says_so(mentee, mentor):
    services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    with pytest.raises(ValidationError) as refused:
        services.request_introduction(sender=mentor, profile=mentee.matching_profile, message="Hi")
    assert refused.value.message_dict == {
        "profile": ["Camille Martin has already asked to be introduced to you: answer their request instead."]
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_crossed_requests_at_once_make_one_request_and_no_deadlock(make_user, profile_of, monkeypatch):
    one, two = make_user(Role.ACADEMIC), make_user(Role.ACADEMIC)
    profile_of(one, offers=[Intent.MENTOR])
    profile_of(two, offers=[Intent.MENTOR])
    take_slot = introductions_module._take_monthly_slot

    def slow_slot(recipient):
        time.sleep(0.5)  # both transactions hold their first lock before either inserts
        take_slot(recipient)

    monkeypatch.setattr(introductions_module, "_take_monthly_slot", slow_slot)
    barrier, results = threading.Barrier(2), {}

    def ask(sender, recipient):
        barrier.wait()
        try:
            services.request_introduction(sender=sender, profile=recipient.matching_profile, message="Hi")
            results[sender.pk] = "ok"
        except ValidationError as error:
            results[sender.pk] = error.messages[0]
        except Exception as error:  # a deadlock would land here
            results[sender.pk] = type(error).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=ask, args=pair) for pair in ((one, two), (two, one))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = sorted(results.values(), key=lambda answer: answer != "ok")
    assert len(answers) == 2 and answers[0] == "ok", answers
    assert "has already asked to be introduced to you" in answers[1], answers
    assert Introduction.objects.filter(status=IntroductionStatus.PENDING).count() == 1


# 5. Reports reach the consortium admins on a page they can open.


def test_consortium_admins_open_reports_from_the_notification(
    client, make_user, other, mentee, mentor, django_capture_on_commit_callbacks
):
    admin = make_user(Role.CONSORTIUM_ADMIN, institution=other)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_user(reporter=mentor, reported=mentee, reason="Sends spam")
    url = Notification.objects.get(recipient=admin, kind="matching.user_reported").url
    assert url == reverse("matching:reports")
    client.force_login(admin)
    page = client.get(url)
    assert page.status_code == 200 and "Sends spam" in page.content.decode()
    assert f'href="{url}"' in client.get(reverse("matching:index")).content.decode()
    assert client.post(url, {"report": report.pk}).status_code == 302
    report.refresh_from_db()
    assert report.handled_at is not None


@pytest.mark.parametrize("role", [Role.STUDENT, Role.PARTNER_ADMIN, Role.CAREER_OFFICER])
def test_others_cannot_open_the_reports(client, make_user, mentee, mentor, role):
    report = services.report_user(reporter=mentor, reported=mentee, reason="Sends spam")
    client.force_login(make_user(role))
    assert client.get(reverse("matching:reports")).status_code == 404
    assert reverse("matching:reports") not in client.get(reverse("matching:introductions")).content.decode()
    assert client.post(reverse("matching:reports"), {"report": report.pk}).status_code == 404
    report.refresh_from_db()
    assert report.handled_at is None


def test_reports_page_reads_a_fixed_number_of_queries(client, make_user, other, django_assert_max_num_queries):
    admin = make_user(Role.CONSORTIUM_ADMIN, institution=other)
    for n in range(5):
        UserReport.objects.create(reporter=make_user(Role.STUDENT), reported=make_user(Role.STUDENT), reason=f"R{n}")
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("matching:reports")).content.decode().count("Mark handled") == 5


# 6. Someone without a profile can be blocked and reported; a declined asker waits 30 days.


@pytest.fixture
def pest(make_user, other):
    return make_user(Role.STUDENT, institution=other, full_name="Pat Pest")


def test_someone_without_a_profile_is_blocked_from_the_introduction_page(client, pest, mentor):
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi")
    client.force_login(mentor)
    page = client.get(reverse("matching:introduction", args=[introduction.pk])).content.decode()
    assert reverse("matching:introduction-block", args=[introduction.pk]) in page
    assert client.post(reverse("matching:introduction-block", args=[introduction.pk])).status_code == 302
    assert Block.objects.filter(blocker=mentor, blocked=pest).exists()
    introduction.refresh_from_db()
    assert introduction.status == IntroductionStatus.DECLINED
    with pytest.raises(ValidationError):
        services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi again")


def test_someone_without_a_profile_is_reported_from_the_introduction_page(client, pest, mentor):
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi")
    client.force_login(mentor)
    url = reverse("matching:introduction-report", args=[introduction.pk])
    assert "Report Pat Pest" in client.get(url).content.decode()
    assert client.post(url, {"reason": "Rude", "block": "on"}).status_code == 302
    assert UserReport.objects.get().reported == pest
    assert Block.objects.filter(blocker=mentor, blocked=pest).exists()


def test_block_and_report_by_introduction_in_the_api(make_user, pest, mentor):
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi")
    api = signed_in(mentor)
    problem = assert_problem(
        api.post(reverse("api:matching-introduction-report", args=[introduction.pk]), {"reason": ""}, format="json"),
        400,
    )
    assert problem["errors"][0]["field"] == "reason"
    response = api.post(
        reverse("api:matching-introduction-report", args=[introduction.pk]),
        {"reason": "Rude", "block": False},
        format="json",
    )
    assert response.status_code == 204
    assert UserReport.objects.get().reported == pest and not Block.objects.exists()
    assert api.post(reverse("api:matching-introduction-block", args=[introduction.pk])).status_code == 204
    assert Block.objects.filter(blocker=mentor, blocked=pest).exists()
    outsider = signed_in(make_user(Role.STUDENT))
    assert_problem(outsider.post(reverse("api:matching-introduction-block", args=[introduction.pk])), 404)
    assert Block.objects.count() == 1


def test_others_cannot_block_through_someone_elses_introduction(client, make_user, pest, mentor):
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi")
    client.force_login(make_user(Role.ACADEMIC))
    assert client.post(reverse("matching:introduction-block", args=[introduction.pk])).status_code == 404
    assert client.get(reverse("matching:introduction-report", args=[introduction.pk])).status_code == 404
    assert not Block.objects.exists()


def test_a_declined_asker_may_not_ask_again_for_30_days(pest, mentor):
    MatchingProfile.objects.filter(user=mentor).update(intros_per_month=20)
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi")
    services.decline_introduction(introduction=introduction, by=mentor)
    with pytest.raises(ValidationError) as refused:
        services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Hi again")
    assert refused.value.message_dict == {
        "profile": ["Elena Navarro declined your request less than 30 days ago. Please do not ask again so soon."]
    }
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        services.request_introduction(sender=pest, profile=mentor.matching_profile, message="A month later")
    assert Introduction.objects.filter(sender=pest).count() == 2


# 7. and 11. The API's recommendations read a fixed number of queries, with people and offers.


def test_recommendations_api_reads_a_fixed_number_of_queries_with_offers(
    make_user, other, mentor, profile_of, django_assert_max_num_queries
):
    for n in range(4):
        asker = make_user(Role.STUDENT, institution=other)
        profile_of(asker, looks_for=[Intent.MENTOR], topics=["fintech"])
        owner = make_user(Role.ACADEMIC, institution=other)
        profile_of(owner, offers=[Intent.ADVICE], topics=[f"topic{n}"])
        offer_by(owner, title=f"Offer {n}")
    offer_by(make_user(Role.ACADEMIC, institution=other), title="By someone without a profile")
    services.recompute_recommendations(user=mentor)
    api = signed_in(mentor)
    with django_assert_max_num_queries(8):
        body = api.get(reverse("api:matching-recommendation-list")).json()
    assert sum(1 for item in body if item["offer"]) == 5
    assert sum(1 for item in body if item["profile"]) == 4
    assert all(
        item["offer"]["owner"]["profile"]
        for item in body
        if item["offer"] and item["offer"]["title"] != "By someone without a profile"
    )


# 9. A block closes an accepted conversation both ways.


def test_blocking_after_acceptance_closes_the_conversation_both_ways(mentee, mentor):
    introduction = services.request_introduction(sender=mentee, profile=mentor.matching_profile, message="Hi")
    services.accept_introduction(introduction=introduction, by=mentor)
    services.block_user(blocker=mentor, blocked=mentee)
    with pytest.raises(ValidationError, match="You blocked Camille Martin"):
        services.post_introduction_message(introduction=introduction, author=mentor, body="Still here")
    with pytest.raises(ValidationError, match="does not accept messages from you"):
        services.post_introduction_message(introduction=introduction, author=mentee, body="Hello?")
    assert not introduction.messages.exists()


# 10. A refusal names no one the asker may not find.


def test_a_hidden_person_who_blocked_you_is_not_named(make_user, other, mentee, profile_of):
    hidden = make_user(Role.ACADEMIC, institution=other, full_name="Secret Person")
    profile_of(hidden, offers=[Intent.MENTOR], visibility=Visibility.HIDDEN)
    services.block_user(blocker=hidden, blocked=mentee)
    response = signed_in(mentee).post(
        reverse("api:matching-introduction-list"),
        {"profile": hidden.matching_profile.pk, "message": "Hi"},
        format="json",
    )
    problem = assert_problem(response, 400)
    assert problem["errors"] == [{"field": "profile", "message": "There is no such profile you can ask."}]
    assert "Secret" not in response.content.decode()


@pytest.mark.browser
def test_a_report_from_an_introduction_reaches_the_admins_page(page, screenshot, make_user, other, mentor):
    from tests.consortium.test_browser import sign_in, sign_in_with_totp

    pest = make_user(Role.STUDENT, institution=other, full_name="Pat Pest", email="pat@ua.example")
    admin = make_user(Role.CONSORTIUM_ADMIN, institution=other, full_name="Ada Admin", email="ada@ua.example")
    introduction = services.request_introduction(sender=pest, profile=mentor.matching_profile, message="Buy my course")
    sign_in(page, mentor.email)
    page.goto(reverse("matching:introduction", args=[introduction.pk]))
    screenshot("introduction")
    page.get_by_role("link", name="Report").click()
    page.get_by_label("What happened").fill("Sells courses to everyone.")
    screenshot("report-form")
    page.get_by_role("button", name="Send the report").click()
    page.wait_for_url("**/matching/")
    assert Block.objects.filter(blocker=mentor, blocked=pest).exists()
    page.context.clear_cookies()
    sign_in_with_totp(page, admin)  # consortium admins sign in with a second factor
    page.goto(reverse("matching:reports"))
    assert page.get_by_text("Sells courses to everyone.").is_visible()
    screenshot("reports")
    page.get_by_role("button", name="Mark handled").click()
    page.get_by_text("The report is marked as handled.").wait_for()
    assert UserReport.objects.get().handled_at is not None
