"""Certificates of the summer schools: what one says (shared by the page, the PDF and the public
verification page), the PDF, drawn by the core's consortium.certificates, and the signed token
printed on it that lets anyone check it is genuine.

The token names the application only; whether the certificate holds is decided when it is
checked, so one withdrawn later (completion recorded as not completed) stops verifying.
"""

from dataclasses import dataclass

from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from consortium.certificates import CertificatePDF
from consortium.certificates import format_date as _date

from .models import Application
from .services import organise

SIGNING_SALT = "summerschools.certificate"


@dataclass
class Certificate:
    application: Application
    person: str
    edition: object
    institutions: list
    outcomes: list[str]
    challenge: object
    team: object
    issued_on: object
    token: str


def certificate_for(application: Application) -> Certificate | None:
    """The certificate of a participation, or None when there is none (not confirmed, the school not
    over, or recorded as not completed)."""
    if not organise.certificate_available(application):
        return None
    edition = application.edition
    team = application.team
    challenge = team.challenge if team and team.challenge_id else None
    return Certificate(
        application=application,
        person=application.student.full_name or application.student.email,
        edition=edition,
        institutions=edition.institutions(),
        outcomes=[line.strip() for line in edition.learning_outcomes.splitlines() if line.strip()],
        challenge=challenge,
        team=team,
        issued_on=edition.local_today(),
        token=signing.dumps(application.pk, salt=SIGNING_SALT),
    )


def application_for_token(token: str) -> Application | None:
    try:
        pk = signing.loads(token, salt=SIGNING_SALT)
    except signing.BadSignature:
        return None
    return (
        Application.objects.select_related("edition__host", "student", "team__challenge__company").filter(pk=pk).first()
    )


def verification_path(certificate: Certificate) -> str:
    return reverse("summerschools:certificate-verify", args=[certificate.token])


def certificate_pdf(certificate: Certificate, verification_url: str) -> bytes:
    edition = certificate.edition
    host, *co_organisers = certificate.institutions
    document = CertificatePDF(_("Certificate of completion"))
    line = document.line
    line(_("Certificate of completion"), 26, "B", 6)
    line(_("This is to certify that"), 12)
    line(certificate.person, 22, "B", 5)
    line(_("completed the entrepreneurship summer school"), 12)
    line(edition.title, 18, "B", 3)
    line(
        _("%(start)s – %(end)s, %(city)s (%(place)s)")
        % {
            "start": _date(edition.starts_on),
            "end": _date(edition.ends_on),
            "city": edition.city,
            "place": edition.get_place_display(),
        },  # fmt: skip
        12,
        gap=2,
    )
    organisers = _("hosted by %(host)s") % {"host": host.name}
    if co_organisers:
        organisers += " " + _("with %(institutions)s") % {"institutions": ", ".join(i.name for i in co_organisers)}
    line(organisers, 11, gap=3)
    line(_("ECTS credits: %(ects)s") % {"ects": edition.ects}, 13, "B", 3)
    if certificate.challenge:
        line(
            _("Challenge: %(title)s, set by %(company)s")
            % {"title": certificate.challenge.title, "company": certificate.challenge.company.name},
            11,
            gap=1,
        )
    if certificate.team:
        line(_("Team: %(team)s") % {"team": certificate.team}, 11, gap=3)
    if certificate.outcomes:
        line(_("Learning outcomes:"), 11, "B", 1)
        for outcome in certificate.outcomes:
            line(f"- {outcome}", 10, gap=0.5)
    document.footer(
        _("Issued on %(date)s by the Career Consortium") % {"date": _date(certificate.issued_on)},
        _("Check this certificate at %(url)s") % {"url": verification_url},
    )
    return bytes(document)
