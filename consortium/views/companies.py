"""The shared company network, for the consortium's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import permissions, services
from ..access import staff_institution_id
from ..forms import (
    CompanyForm,
    DeclineCompanyForm,
    FlagCompanyForm,
    InviteCompanyContactForm,
    form_errors,
)
from ..models import (
    AuditLog,
    Company,
    CompanyDecline,
    CompanyStatus,
)
from ..registry import COMPANY_SECTIONS


@login_required
def company_list(request):
    if not permissions.can_browse_companies(request.user):
        raise Http404
    companies = Company.objects.visible_to(request.user).annotate(partners=Count("relationships")).order_by("name")
    query = request.GET.get("q", "").strip()
    if query:
        companies = companies.filter(name__icontains=query)
    status = request.GET.get("status", "")
    if status in CompanyStatus.values:
        companies = companies.filter(status=status)
    page = Paginator(companies, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "status": status,
        "statuses": CompanyStatus.choices,
        "can_add": permissions.can_add_company(request.user),
        "can_open": permissions.can_view_company_record(request.user),
    }
    return render(request, "consortium/company_list.html", context)


@login_required
def company_create(request):
    if not permissions.can_add_company(request.user):
        raise Http404
    form = CompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company = services.add_company(company=form.instance, by=request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s added to the network.") % {"name": company})
            return redirect("consortium:company-list")
    return render(request, "consortium/company_form.html", {"form": form})


def _company_for(request, slug) -> Company:
    """A company of the network whose record the user may open; 404 for everyone else."""
    if not permissions.can_view_company_record(request.user):
        raise Http404
    companies = Company.objects.visible_to(request.user).select_related(
        "status_changed_by", "status_changed_by_institution"
    )
    return get_object_or_404(companies, slug=slug)


def _render_company(request, company, **forms):
    user = request.user
    institution = user.institution if staff_institution_id(user) else None
    context = {
        "company": company,
        "institution": institution,
        "history": AuditLog.objects.company_history(company, user).select_related("institution")[:50],
        "decline": CompanyDecline.objects.visible_to(user)
        .filter(institution=institution, company=company)
        .select_related("declined_by")
        .first(),
        "can_verify": permissions.can_verify_company(user),
        "can_decline": permissions.can_decline_company(user, institution),
        "can_invite": permissions.can_invite_company_contact(user, institution, company),
        "sections": [section for render_section in COMPANY_SECTIONS if (section := render_section(company, user))],
        "flag_form": FlagCompanyForm(),
        "decline_form": DeclineCompanyForm(),
        "invite_form": InviteCompanyContactForm(),
        **forms,
    }
    return render(request, "consortium/company_detail.html", context)


@login_required
def company_detail(request, slug):
    return _render_company(request, _company_for(request, slug))


def _change_company(action, company, reason, user) -> None:
    if action == "verify":
        services.verify_company(company=company, by=user)
    elif action == "flag":
        services.flag_company(company=company, reason=reason, by=user)
    elif action == "clear":
        services.clear_company_status(company=company, by=user)
    elif action == "decline":
        services.decline_company(company=company, institution=user.institution, reason=reason, by=user)
    else:
        services.undecline_company(company=company, institution=user.institution, by=user)


@login_required
@require_POST
def company_status(request, slug, action):
    """Verify, flag or clear the company for the network, or decline it (or not) for one's institution."""
    company = _company_for(request, slug)
    form_name = "flag_form" if action == "flag" else "decline_form"
    form = (FlagCompanyForm if action == "flag" else DeclineCompanyForm)(request.POST)
    if form.is_valid():
        try:
            _change_company(action, company, form.cleaned_data["reason"], request.user)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("%(name)s was updated.") % {"name": company})
            return redirect(company)
    return _render_company(request, company, **{form_name: form})


@login_required
@require_POST
def company_invite_contact(request, slug):
    company = _company_for(request, slug)
    form = InviteCompanyContactForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invite_company_contact(
                institution=request.user.institution, company=company, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect(company)
    return _render_company(request, company, invite_form=form)
