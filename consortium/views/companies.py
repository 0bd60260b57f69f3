"""The shared company network, for the consortium's staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import permissions, services
from ..forms import (
    CompanyForm,
    form_errors,
)
from ..models import (
    Company,
)


@login_required
def company_list(request):
    if not permissions.can_browse_companies(request.user):
        raise Http404
    companies = Company.objects.visible_to(request.user).annotate(partners=Count("relationships")).order_by("name")
    query = request.GET.get("q", "").strip()
    if query:
        companies = companies.filter(name__icontains=query)
    page = Paginator(companies, 50).get_page(request.GET.get("page"))
    context = {"page": page, "query": query, "can_add": permissions.can_add_company(request.user)}
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
