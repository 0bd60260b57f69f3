"""The job board's section of a company's page in the network."""

from django.template.loader import render_to_string

from ..models import Job


def company_jobs_section(company, user) -> str:
    """The company's open jobs the viewer may read; registered with the core's company page."""
    jobs = (
        Job.objects.visible_to(user)
        .published()
        .filter(company=company)
        .select_related("institution")
        .order_by("-published_at")[:20]
    )
    return render_to_string("jobs/_company_jobs.html", {"company": company, "jobs": jobs})
