"""Certificates of attendance: what they say (shared by the printable page and the PDF) and the PDF,
drawn by the core's consortium.certificates."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from consortium.certificates import CertificatePDF
from consortium.certificates import format_date as _date

from .models import Attendance, Module


@dataclass
class Certificate:
    registration: object
    person: str
    week: object
    host: str
    days: list
    modules: list
    issued_on: object


def certificate_for(registration) -> Certificate | None:
    """The certificate of a registration, or None when the person attended no session."""
    attended = list(
        Attendance.objects.filter(registration=registration).select_related("session").order_by("session__day")
    )
    if not attended:
        return None
    module_ids = {a.session.module_id for a in attended if a.session.module_id}
    return Certificate(
        registration=registration,
        person=registration.person.full_name or registration.person.email,
        week=registration.week,
        host=registration.week.host.name,
        days=sorted({a.session.day for a in attended}),
        modules=list(Module.objects.filter(pk__in=module_ids)),
        issued_on=timezone.localdate(),
    )


def certificate_pdf(certificate: Certificate) -> bytes:
    document = CertificatePDF(_("Certificate of attendance"))
    line = document.line
    week = certificate.week
    line(_("Certificate of attendance"), 28, "B", 8)
    line(_("This is to certify that"), 13)
    line(certificate.person, 22, "B", 6)
    line(_("took part in the staff training week"), 13)
    line(week.title, 18, "B", 4)
    line(
        _("hosted by %(host)s, %(start)s – %(end)s")
        % {"host": certificate.host, "start": _date(week.starts_on), "end": _date(week.ends_on)},
        13,
        gap=6,
    )
    days = ", ".join(_date(day) for day in certificate.days)
    line(_("Days attended (%(count)d): %(days)s") % {"count": len(certificate.days), "days": days}, 11, gap=4)
    if certificate.modules:
        line(_("Curriculum modules covered:"), 11, "B", 1)
        for module in certificate.modules:
            line(f"{module.code} · {module.title}", 11, gap=1)
    document.footer(_("Issued on %(date)s by the Career Consortium") % {"date": _date(certificate.issued_on)})
    return bytes(document)
