"""The participant's certificate (a page and a PDF) and the public page that verifies one."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from .. import permissions
from ..certificates import application_for_token, certificate_for, certificate_pdf, verification_path
from .selection import application_for


def _certificate(request, pk):
    application = application_for(request, pk, allowed=permissions.can_view_certificate)
    certificate = certificate_for(application)
    if certificate is None:
        raise Http404  # not confirmed, not over yet, or not completed: nothing to certify
    return certificate


@login_required
def page(request, pk):
    certificate = _certificate(request, pk)
    url = request.build_absolute_uri(verification_path(certificate))
    return render(request, "summerschools/certificate.html", {"certificate": certificate, "verification_url": url})


@login_required
def pdf(request, pk):
    certificate = _certificate(request, pk)
    body = certificate_pdf(certificate, request.build_absolute_uri(verification_path(certificate)))
    response = HttpResponse(body, content_type="application/pdf")
    name = slugify(f"certificate-{certificate.edition.slug}-{certificate.person}") or "certificate"
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def verify(request, token):
    """Public: whether the token belongs to a certificate that holds, and whose it is."""
    application = application_for_token(token)
    certificate = certificate_for(application) if application else None
    status = 200 if certificate else 404
    return render(request, "summerschools/certificate_verify.html", {"certificate": certificate}, status=status)
