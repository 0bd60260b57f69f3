"""The job board's privacy provider: what it holds about a person, to export it and to erase it."""

from django.db import transaction

from .models import Application, JobReport, SavedJob, SavedSearch


def export_jobs_data(user) -> dict:
    return {
        "applications": list(
            Application.objects.filter(applicant=user)
            .order_by("created_at", "pk")
            .values("job__title", "job__company__name", "status", "message", "created_at", "status_changed_at")
        ),
        "saved_jobs": list(
            SavedJob.objects.filter(user=user).order_by("created_at", "pk").values("job__title", "created_at")
        ),
        "saved_searches": list(
            SavedSearch.objects.filter(user=user)
            .order_by("created_at", "pk")
            .values("name", "query", "frequency", "is_active", "created_at")
        ),
        "reports": list(
            JobReport.objects.filter(reported_by=user)
            .order_by("created_at", "pk")
            .values("job__title", "reason", "details", "created_at")
        ),
    }


def erase_jobs_data(user) -> None:
    """Delete the person's applications with their CVs, saved jobs and searches; keep the reports they
    made, which the institution still acts on, without them."""
    applications = Application.objects.filter(applicant=user)
    cv_names = [name for name in applications.values_list("cv", flat=True) if name]
    applications.delete()
    storage = Application._meta.get_field("cv").storage

    def delete_files():
        for name in cv_names:
            storage.delete(name)

    # Files are not transactional: remove them only once the erasure is sure to stay.
    transaction.on_commit(delete_files)
    SavedJob.objects.filter(user=user).delete()
    SavedSearch.objects.filter(user=user).delete()
    JobReport.objects.filter(reported_by=user).update(reported_by=None, details="")
