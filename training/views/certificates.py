"""The certificate of attendance: a printable page and a PDF, for participants who attended."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from .. import permissions
from ..certificates import certificate_for, certificate_pdf
from .registrations import registration_for


def _certificate(request, pk):
    registration = registration_for(request, pk, permissions.can_view_certificate)
    certificate = certificate_for(registration)
    if certificate is None:
        raise Http404  # nothing attended, nothing to certify
    return certificate


@login_required
def page(request, pk):
    return render(request, "training/certificate.html", {"certificate": _certificate(request, pk)})


@login_required
def pdf(request, pk):
    certificate = _certificate(request, pk)
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    name = slugify(f"certificate-{certificate.week.slug}-{certificate.person}") or "certificate"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response
