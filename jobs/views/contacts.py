"""Company contacts on the job board: their company's jobs and where each stands (they post through postings.edit)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import permissions
from ..models import Job


@login_required
def company_jobs(request):
    if not permissions.is_company_contact(request.user):
        raise Http404
    jobs = (
        Job.objects.visible_to(request.user)
        .filter(company_id=request.user.company_id)
        .select_related("institution")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(request, "jobs/company_jobs.html", {"page": page, "company": request.user.company})
