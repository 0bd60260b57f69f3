"""Jobs that wait for approval: flagged companies' jobs and company contacts' jobs; local declines."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from consortium import services as core
from consortium.models import CompanyStatus, Notification, Role, User
from jobs import services
from jobs.models import Job, JobStatus
from tests.factories import CompanyFactory, CompanyRelationshipFactory
from tests.jobs.factories import JobFactory

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Sales trainee",
    "kind": "internship",
    "description": "Sell **things**.",
    "country": "IT",
    "city": "Milano",
    "work_mode": "on_site",
    "salary_period": "MONTH",
    "start_kind": "flexible",
    "apply_method": "platform",
    "audience": "consortium",
    "languages_0_language": "",
    "languages_0_level": "",
}


@pytest.fixture
def flagged():
    return CompanyFactory(name="Shady Ltd", status=CompanyStatus.FLAGGED, status_note="Fee")


@pytest.fixture
def flagged_job(people, home, flagged):
    """A flagged company's job, posted by the home officer and waiting for approval."""
    job = JobFactory(institution=home, company=flagged, status=JobStatus.DRAFT, published_at=None)
    job.posted_by = people["officer"]
    job.save()
    return services.publish_job(job=job, by=people["officer"])


def decide(client, job, action, **data):
    return client.post(reverse("jobs:approval-decide", args=[job.pk, action]), data)


def test_publishing_a_flagged_companys_job_holds_it_for_approval(client, people, home, flagged, make_user):
    second_admin = make_user(Role.PARTNER_ADMIN)
    job = JobFactory(institution=home, company=flagged, status=JobStatus.DRAFT, published_at=None)
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:change-status", args=[job.pk, "publish"]), follow=True)
    assert "The job waits for approval" in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.published_at) == (JobStatus.PENDING, None)
    asked = {n.recipient for n in Notification.objects.filter(kind="job.submitted")}
    assert asked == {people["admin"], second_admin}  # partner admins only, for a flagged company
    client.force_login(people["student"])
    assert client.get(job.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    ("who", "status", "outcome"),
    [
        ("officer", 404, JobStatus.PENDING),  # the poster
        ("other_admin", 404, JobStatus.PENDING),  # another institution
        ("student", 404, JobStatus.PENDING),
        ("admin", 302, JobStatus.PUBLISHED),
        ("consortium_admin", 302, JobStatus.PUBLISHED),
    ],
)
def test_who_may_approve_a_flagged_companys_job(client, people, flagged_job, who, status, outcome):
    client.force_login(people[who])
    assert decide(client, flagged_job, "approve").status_code == status
    flagged_job.refresh_from_db()
    assert flagged_job.status == outcome


def test_another_officer_of_the_institution_may_not_approve_a_flagged_job(client, flagged_job, make_user):
    client.force_login(make_user(Role.CAREER_OFFICER))
    assert decide(client, flagged_job, "approve").status_code == 404
    assert list(client.get(reverse("jobs:approvals")).context["page"].object_list) == []


def test_anonymous_cannot_approve(client, flagged_job):
    response = decide(client, flagged_job, "approve")
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    flagged_job.refresh_from_db()
    assert flagged_job.status == JobStatus.PENDING


def test_approving_publishes_records_the_approver_and_tells_the_poster(client, people, flagged_job, home):
    from consortium.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(institution=home, url="https://hooks.example.org/in", event_types=["job.published"])
    client.force_login(people["admin"])
    decide(client, flagged_job, "approve")
    flagged_job.refresh_from_db()
    assert flagged_job.status == JobStatus.PUBLISHED and flagged_job.published_at
    assert (flagged_job.approved_by, bool(flagged_job.approved_at)) == (people["admin"], True)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event_type, delivery.payload["data"]["status"]) == ("job.published", "published")
    notice = Notification.objects.get(kind="job.approved")
    assert notice.recipient == people["officer"] and notice.title == f"“{flagged_job.title}” was approved"
    # Deciding twice changes nothing.
    decide(client, flagged_job, "approve")
    assert Notification.objects.filter(kind="job.approved").count() == 1


def test_rejecting_needs_a_reason_and_sends_the_job_back_as_a_draft(client, people, flagged_job):
    client.force_login(people["admin"])
    response = decide(client, flagged_job, "reject", reason=" ")
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["What the poster should change: This field is required."]
    flagged_job.refresh_from_db()
    assert flagged_job.status == JobStatus.PENDING
    decide(client, flagged_job, "reject", reason="Remove the registration fee.")
    flagged_job.refresh_from_db()
    assert flagged_job.status == JobStatus.DRAFT and flagged_job.approved_by is None
    notice = Notification.objects.get(kind="job.rejected")
    assert notice.recipient == people["officer"] and "Remove the registration fee." in notice.body


def test_reopening_a_flagged_companys_job_needs_approval_again(people, home, flagged):
    job = JobFactory(institution=home, company=flagged, status=JobStatus.CLOSED)
    services.reopen_job(job=job, by=people["officer"])
    assert Job.objects.get(pk=job.pk).status == JobStatus.PENDING


def test_approval_queue_by_role(client, people, flagged_job, django_assert_max_num_queries):
    client.force_login(people["admin"])
    client.get(reverse("jobs:approvals"))
    JobFactory.create_batch(
        5, institution=flagged_job.institution, company=flagged_job.company, status=JobStatus.PENDING
    )
    with django_assert_max_num_queries(8):
        page = client.get(reverse("jobs:approvals"))
    assert len(page.context["page"].object_list) == 6
    assert "Shady Ltd" in page.content.decode()
    client.force_login(people["student"])
    assert client.get(reverse("jobs:approvals")).status_code == 404
    client.force_login(people["other_admin"])
    assert list(client.get(reverse("jobs:approvals")).context["page"].object_list) == []
    client.logout()
    assert client.get(reverse("jobs:approvals")).status_code == 302


def test_the_queue_and_the_predicate_agree(people, flagged_job, home, make_user):
    from jobs.permissions import can_approve_job

    plain = JobFactory(institution=home, status=JobStatus.PENDING, posted_by=make_user(Role.COMPANY_CONTACT))
    for user in [*people.values(), make_user(Role.CAREER_OFFICER)]:
        listed = set(Job.objects.awaiting_approval_by(user))
        assert listed == {job for job in (flagged_job, plain) if can_approve_job(user, job)}, user


# Local declines


def test_an_officer_cannot_post_for_a_company_the_institution_declined(client, people, home):
    company = CompanyFactory()
    core.decline_company(company=company, institution=home, reason="", by=people["admin"])
    client.force_login(people["officer"])
    response = client.post(reverse("jobs:create"), FORM | {"company": company.pk})
    assert response.context["form"].errors["company"] == [
        f"UP has declined {company.name}: no jobs can be posted for it there."
    ]
    assert not Job.objects.exists()


def test_a_declined_companys_jobs_are_hidden_from_that_institutions_students_only(
    client, people, home, other, make_user
):
    company = CompanyFactory()
    JobFactory(institution=other, company=company, title="Declined elsewhere")
    core.decline_company(company=company, institution=home, reason="", by=people["officer"])

    def sees(user):
        client.force_login(user)
        return "Declined elsewhere" in client.get(reverse("jobs:index")).content.decode()

    assert not sees(people["student"])
    assert sees(make_user(Role.STUDENT, institution=other))
    assert sees(people["officer"])


# Company contacts


@pytest.fixture
def acme(home):
    company = CompanyFactory(name="Acme")
    CompanyRelationshipFactory(institution=home, company=company)
    return company


@pytest.fixture
def contact(acme):
    return User.objects.get(pk=_contact(acme).pk)


def _contact(company):
    from tests.factories import UserFactory

    return UserFactory(roles=[Role.COMPANY_CONTACT], institution=None, company=company)


def test_invite_accept_submit_approve_publish(client, people, acme, home, other, mailoutbox):
    CompanyRelationshipFactory(institution=other, company=acme)
    invitation = core.invite_company_contact(
        institution=home, company=acme, email="hr@acme.example", full_name="Hana", by=people["officer"]
    )
    client.post(
        reverse("consortium:invitation-accept", args=[core.invitation_token(invitation)]),
        {"full_name": "Hana", "password1": "a-long-pass-2026!", "password2": "a-long-pass-2026!"},
    )
    contact = User.objects.get(email="hr@acme.example")
    client.force_login(contact)
    form = client.get(reverse("jobs:create")).context["form"]
    assert set(form.fields["institution"].queryset) == {home, other}
    # The company is fixed to theirs, whatever the form sends.
    response = client.post(reverse("jobs:create"), FORM | {"institution": home.pk, "company": CompanyFactory().pk})
    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert (job.company, job.institution, job.status, job.posted_by) == (acme, home, JobStatus.DRAFT, contact)
    assert "Submit for approval" in client.get(job.get_absolute_url()).content.decode()

    client.post(reverse("jobs:change-status", args=[job.pk, "publish"]))
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    asked = {n.recipient for n in Notification.objects.filter(kind="job.submitted")}
    assert asked == {people["officer"], people["admin"]}
    listing = client.get(reverse("jobs:company-jobs")).content.decode()
    assert "Sales trainee" in listing and "Pending approval" in listing

    client.force_login(people["other_officer"])
    assert decide(client, job, "approve").status_code == 404  # not the institution it was sent to
    client.force_login(people["officer"])
    decide(client, job, "approve")
    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED and job.approved_by == people["officer"]
    client.force_login(people["student"])
    assert "Sales trainee" in client.get(reverse("jobs:index")).content.decode()
    assert Notification.objects.get(kind="job.approved").recipient == contact


def test_a_contact_cannot_publish_directly_nor_edit_once_published(people, acme, contact, home):
    job = JobFactory(institution=home, company=acme, status=JobStatus.DRAFT, published_at=None, posted_by=contact)
    services.publish_job(job=job, by=contact)
    assert job.status == JobStatus.PENDING
    services.approve_job(job=job, by=people["admin"])
    from jobs.permissions import can_edit_job

    job.refresh_from_db()
    assert job.status == JobStatus.PUBLISHED and not can_edit_job(contact, job)


def test_a_contact_cannot_submit_to_an_institution_that_declined_the_company(client, people, acme, contact, home):
    core.decline_company(company=acme, institution=home, reason="", by=people["admin"])
    client.force_login(contact)
    response = client.post(reverse("jobs:create"), FORM | {"institution": home.pk})
    assert "institution" in response.context["form"].errors
    assert not Job.objects.exists()


def test_a_contact_of_another_company_cannot_see_or_edit_drafts(client, acme, contact, home):
    job = JobFactory(institution=home, company=acme, status=JobStatus.DRAFT, published_at=None, posted_by=contact)
    client.force_login(contact)
    assert client.get(job.get_absolute_url()).status_code == 200
    client.force_login(_contact(CompanyFactory()))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("jobs:edit", args=[job.pk])).status_code == 404
    assert client.post(reverse("jobs:edit", args=[job.pk]), FORM | {"institution": home.pk}).status_code == 404
    assert client.post(reverse("jobs:change-status", args=[job.pk, "publish"])).status_code == 404
    job.refresh_from_db()
    assert (job.title, job.status) != ("Sales trainee", JobStatus.PENDING)


def test_a_rejected_submission_is_a_draft_the_contact_can_change(people, acme, contact, home):
    job = JobFactory(institution=home, company=acme, status=JobStatus.DRAFT, published_at=None, posted_by=contact)
    services.publish_job(job=job, by=contact)
    services.reject_job(job=job, reason="Add the salary", by=people["officer"])
    job.refresh_from_db()
    assert job.status == JobStatus.DRAFT
    with pytest.raises(PermissionDenied):
        services.reject_job(job=job, reason="again", by=people["officer"])


def test_a_company_contact_neither_sees_nor_edits_staff_drafts_of_their_company(client, people, home, acme, contact):
    draft = JobFactory(institution=home, company=acme, status=JobStatus.DRAFT, published_at=None)
    draft.posted_by = people["officer"]
    draft.save()
    client.force_login(contact)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("jobs:edit", args=[draft.pk]), FORM).status_code == 404
    draft.refresh_from_db()
    assert draft.title != "Sales trainee" and draft.institution == home


def test_moving_a_published_job_to_a_flagged_company_holds_it_for_approval(people, home, flagged):
    job = JobFactory(institution=home)
    job.company = flagged
    services.save_job(job=job, languages=[], partner_institutions=[], by=people["officer"])
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_a_declined_companys_pending_job_cannot_be_approved(people, home, flagged_job, flagged):
    from django.core.exceptions import ValidationError

    core.decline_company(company=flagged, institution=home, by=people["admin"], reason="No")
    with pytest.raises(ValidationError):
        services.approve_job(job=flagged_job, by=people["admin"])
    flagged_job.refresh_from_db()
    assert flagged_job.status == JobStatus.PENDING


def test_applications_to_a_contacts_offer_go_to_the_institutions_officers(
    people, home, acme, contact, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    job = JobFactory(institution=home, company=acme)
    job.posted_by = contact
    job.save()
    cv = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.apply_to_job(job=job, applicant=people["student"], message="Hello", cv=cv)
    told = set(Notification.objects.filter(kind="job.application_received").values_list("recipient", flat=True))
    assert told == {people["officer"].pk}
