"""The job board's section of the weekly digest: the week's new jobs for each person's saved searches
and fields of study, a job shared with several partners once, at most two of a company."""

from collections import defaultdict

from django.urls import reverse

from consortium.access import has_role, is_consortium_admin, staff_institution_id
from consortium.models import CompanyDecline, Role
from consortium.services.digests import MAX_ITEMS_PER_SECTION, DigestBatch, DigestItem, country_name

from .models import AlertSentJob, Audience, Job, JobStatus
from .services.alerts import MAX_JOBS_PER_COMPANY

JOB_FIELDS = ("pk", "title", "company_id", "company__name", "city", "country", "published_at")


def _item(job: dict) -> DigestItem:
    where = f"{job['city']}, {country_name(job['country'])}" if job["city"] else country_name(job["country"])
    return DigestItem(
        title=f"{job['title']} · {job['company__name']}",
        url=reverse("jobs:detail", args=[job["pk"]]),
        detail=where,
        when=job["published_at"],
    )


def _visibility(batch: DigestBatch, jobs: list[dict]):
    """Who may open which of these published jobs, as Job.objects.visible_to answers it, on the rows
    already loaded so that a batch costs the same whatever it holds; two queries. The jobs carry
    "audience" and "institution_id"."""
    shared = defaultdict(set)
    partner_rows = Job.partner_institutions.through.objects.filter(
        job_id__in=[job["pk"] for job in jobs if job["audience"] == Audience.PARTNERS]
    ).values_list("job_id", "institution_id")
    for job_id, institution_id in partner_rows:
        shared[job_id].add(institution_id)
    institutions = {user.institution_id for user in batch.users if user.institution_id}
    declined = set(
        CompanyDecline.objects.filter(institution_id__in=institutions).values_list("institution_id", "company_id")
    )

    def visible(job: dict, user) -> bool:
        if is_consortium_admin(user):
            return True
        own, staff = user.institution_id, staff_institution_id(user)
        reach = job["audience"] == Audience.CONSORTIUM or (
            own is not None and (job["institution_id"] == own or own in shared[job["pk"]])
        )
        # An institution that declined a company hides its jobs from its students, not from its staff.
        if reach and not staff and (own, job["company_id"]) in declined:
            reach = False
        contact_of = user.company_id if has_role(user, Role.COMPANY_CONTACT) else None
        return (
            reach
            or (staff is not None and job["institution_id"] == staff)
            or (contact_of is not None and job["company_id"] == contact_of)
        )

    return visible


def _alerted(batch: DigestBatch) -> dict[int, list[dict]]:
    """Jobs the person's own alerts found in the week, still open and still theirs to open; three
    queries. An alert ran the search as its owner, but the job may have left their reach since (its
    audience narrowed, their institution declined the company)."""
    rows = AlertSentJob.objects.filter(
        saved_search__user__in=batch.users,
        sent_at__gte=batch.start,
        sent_at__lt=batch.end,
        job__status=JobStatus.PUBLISHED,
    ).values("saved_search__user_id", *(f"job__{name}" for name in (*JOB_FIELDS, "audience", "institution_id")))
    rows = list(rows)
    if not rows:
        return {}
    users = {user.pk: user for user in batch.users}
    jobs = [{name.removeprefix("job__"): value for name, value in row.items()} for row in rows]
    visible = _visibility(batch, jobs)
    found = defaultdict(list)
    for job in jobs:
        user = users[job.pop("saved_search__user_id")]
        if visible(job, user):
            found[user.pk].append(job)
    return found


def _in_fields(batch: DigestBatch) -> dict[int, list[dict]]:
    """The week's new jobs in each student's fields of study that they may see; three queries."""
    students = [user for user in batch.holding(Role.STUDENT) if batch.fields_of_study(user)]
    if not students:
        return {}
    jobs = list(
        Job.objects.filter(status=JobStatus.PUBLISHED, published_at__gte=batch.start, published_at__lt=batch.end)
        .exclude(fields_of_study=[])
        .values(*JOB_FIELDS, "fields_of_study", "audience", "institution_id")
    )
    visible = _visibility(batch, jobs)
    # Students of one institution with the same fields see the same jobs: each such group is worked
    # out once per batch, newest first, so a batch's cost follows its institutions, not its students.
    jobs.sort(key=lambda j: (j["published_at"], j["pk"]), reverse=True)
    groups = {}
    found = {}
    for student in students:
        fields = frozenset(batch.fields_of_study(student))
        key = (student.institution_id, fields)
        if key not in groups:
            groups[key] = _newest_per_company(
                job for job in jobs if fields.intersection(job["fields_of_study"]) and visible(job, student)
            )
        found[student.pk] = groups[key]
    return found


def _newest_per_company(jobs, limit=3 * MAX_ITEMS_PER_SECTION) -> list[dict]:
    """The first jobs, newest first, with at most MAX_JOBS_PER_COMPANY of a company: enough for a
    section once merged with the few jobs a person's alerts found."""
    per_company, kept = defaultdict(int), []
    for job in jobs:
        if per_company[job["company_id"]] < MAX_JOBS_PER_COMPANY:
            per_company[job["company_id"]] += 1
            kept.append(job)
            if len(kept) == limit:
                break
    return kept


def new_jobs(batch: DigestBatch) -> dict[int, list[DigestItem]]:
    found = defaultdict(list)
    for source in (_alerted(batch), _in_fields(batch)):
        for user_id, jobs in source.items():
            found[user_id].extend(jobs)
    items_of = {}  # one item per job and batch, however many people it reaches
    sections = {}
    for user_id, jobs in found.items():
        seen, per_company, items = set(), defaultdict(int), []
        for job in sorted(jobs, key=lambda j: (j["published_at"], j["pk"]), reverse=True):
            # The same job reaches a person through several searches or partners: it is listed once.
            if job["pk"] in seen or per_company[job["company_id"]] >= MAX_JOBS_PER_COMPANY:
                continue
            seen.add(job["pk"])
            per_company[job["company_id"]] += 1
            if job["pk"] not in items_of:
                items_of[job["pk"]] = _item(job)
            items.append(items_of[job["pk"]])
            if len(items) == MAX_ITEMS_PER_SECTION:
                break
        sections[user_id] = items
    return sections
