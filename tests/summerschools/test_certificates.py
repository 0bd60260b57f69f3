"""Certificates of the summer schools: the page and the PDF for a confirmed participant whose school
is over and whose completion the organisers recorded, 404 for anyone else, and the public check."""

import datetime
import html
import zlib
from decimal import Decimal

import pytest
from django.utils import timezone

from consortium.models import Role
from summerschools.models import Application, ApplicationStatus, Challenge, Team
from tests.factories import CompanyFactory, UserFactory

from .factories import ApplicationFactory


@pytest.fixture
def participation(edition, cast):
    today = timezone.localdate()
    edition.starts_on, edition.ends_on = today - datetime.timedelta(days=9), today - datetime.timedelta(days=1)
    edition.learning_outcomes = "Validate a business idea with customers\n\nPitch to investors\n"
    edition.ects = Decimal("6.0")
    edition.save(update_fields=["starts_on", "ends_on", "learning_outcomes", "ects"])
    challenge = Challenge.objects.create(
        edition=edition, company=CompanyFactory(name="Iberia Foods"), title="Zero waste"
    )
    team = Team.objects.create(edition=edition, number=3, name="Los Circulares", challenge=challenge)
    return ApplicationFactory(
        edition=edition, student=cast["student"], status=ApplicationStatus.CONFIRMED, team=team, completed=True
    )


def _ends_on(edition, day):
    edition.ends_on = day
    edition.save(update_fields=["ends_on"])


def _pdf_text(content: bytes) -> str:
    """The text of the PDF's content streams, inflated where fpdf2 compressed them."""
    chunks = []
    for part in content.split(b"stream")[1:]:
        body = part.split(b"endstream")[0].strip(b"\r\n")
        try:
            chunks.append(zlib.decompress(body).decode("latin-1"))
        except zlib.error:
            chunks.append(body.decode("latin-1"))
    return "".join(chunks)


def test_the_certificate_page_names_everything(client, participation, cast, django_assert_max_num_queries):
    client.force_login(cast["student"])
    assert f"/summer-schools/certificates/{participation.pk}/" in client.get(participation.get_absolute_url()).text
    with django_assert_max_num_queries(14):
        page = client.get(f"/summer-schools/certificates/{participation.pk}/")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert 'data-figure="person">Sara Student<' in text
    assert "Madrid Venture Lab" in text and "ECTS credits: 6.0" in text
    assert "hosted by Universidad Autónoma de Madrid with " in text
    assert "Universidad de Prueba" in text and "Università Altra" in text
    assert "Validate a business idea with customers" in text and "Pitch to investors" in text
    assert "Challenge: Zero waste, set by Iberia Foods" in text and "Team: Los Circulares" in text
    assert "/summer-schools/certificates/verify/" in text


def test_the_pdf_is_a_pdf_with_the_ects_and_the_verification_address(client, participation, cast):
    client.force_login(cast["student"])
    response = client.get(f"/summer-schools/certificates/{participation.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="certificate-madrid-lab-sara-student.pdf"' in response["Content-Disposition"]
    assert b"Certificate of completion" in response.content  # the document's title, uncompressed


def test_without_dejavu_the_pdf_text_is_readable(client, participation, cast, monkeypatch):
    from consortium import certificates

    monkeypatch.setattr(certificates, "FONT_DIRS", [])
    client.force_login(cast["student"])
    content = client.get(f"/summer-schools/certificates/{participation.pk}.pdf").content
    text = _pdf_text(content)
    assert "ECTS credits: 6.0" in text and "Sara Student" in text and "Pitch to investors" in text
    assert "/summer-schools/certificates/verify/" in text


@pytest.mark.parametrize(
    "change",
    [
        {"completed": False},
        {"status": ApplicationStatus.ACCEPTED},
        {"status": ApplicationStatus.REJECTED},
    ],
)
def test_no_certificate_for_a_participation_that_does_not_earn_one(client, participation, cast, change):
    Application.objects.filter(pk=participation.pk).update(**change)
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/certificates/{participation.pk}/").status_code == 404
    assert client.get(f"/summer-schools/certificates/{participation.pk}.pdf").status_code == 404


def test_no_certificate_until_the_organisers_record_completion(client, participation, cast):
    Application.objects.filter(pk=participation.pk).update(completed=None)
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/certificates/{participation.pk}/").status_code == 404
    page = client.get(participation.get_absolute_url())
    assert "Your certificate will be available once the organisers record your completion" in page.text
    assert f"/summer-schools/certificates/{participation.pk}/" not in page.text


def test_the_certificate_is_available_on_the_last_day(client, participation, cast):
    _ends_on(participation.edition, timezone.localdate())
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/certificates/{participation.pk}/").status_code == 200


def test_no_certificate_before_the_last_day(client, participation, cast):
    _ends_on(participation.edition, timezone.localdate() + datetime.timedelta(days=1))
    client.force_login(cast["student"])
    assert client.get(f"/summer-schools/certificates/{participation.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["classmate", "organiser", "host_organiser", "consortium_admin", "company_contact"])
def test_nobody_else_gets_the_certificate(client, participation, cast, who):
    user = UserFactory(roles=[Role.COMPANY_CONTACT], institution=None) if who == "company_contact" else cast[who]
    client.force_login(user)
    assert client.get(f"/summer-schools/certificates/{participation.pk}/").status_code == 404
    assert client.get(f"/summer-schools/certificates/{participation.pk}.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, participation):
    assert "/accounts/login/" in client.get(f"/summer-schools/certificates/{participation.pk}/")["Location"]


def test_the_verification_page_says_whose_certificate_it_is_until_it_is_withdrawn(client, participation, cast):
    client.force_login(cast["student"])
    page = client.get(f"/summer-schools/certificates/{participation.pk}/")
    url = page.context["verification_url"]
    client.logout()
    check = client.get(url)
    assert check.status_code == 200
    text = html.unescape(check.text)
    assert "This is a valid certificate of the Career Consortium." in text
    assert "Sara Student completed the summer school “Madrid Venture Lab”" in text and "6.0 ECTS" in text
    Application.objects.filter(pk=participation.pk).update(completed=False)
    assert client.get(url).status_code == 404
    forged = client.get(url.replace("/verify/", "/verify/x"))
    assert forged.status_code == 404 and "does not belong to a valid certificate" in forged.text
