"""Demo offers for `manage.py seed_demo`, posted and published through the services like real ones, and the
job board's activity of the past months: applications from students of every member to jobs abroad (and
of students from abroad staying on in their host country), page views, and a saved search with an alert
for each institution's demo student, so that their weekly digest lists new jobs.

The services only know the present: what the demo dates in the past is moved there after they wrote it."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consortium.demo import DEMO_CV_PDF
from consortium.models import Company, Institution, Role, User

from .models import AlertFrequency, Application, ApplicationStatus, Job, JobViewDay, SavedSearch
from .services import publish_job, save_job
from .services.alerts import alert_period, save_search, send_alert
from .services.applications import apply_to_job, change_application_status

# A few offers per institution: (title, company, kind, city, country, languages, fields of study, paid)
DEMO_JOBS = {
    "uam": [
        (
            "Renewable energy analyst intern",
            "Solaria Renovables",
            "internship",
            "Madrid",
            "ES",
            [("es", "B2"), ("en", "B2")],
            ["07"],
            True,
        ),
        ("Junior backend developer", "Tapas & Code", "graduate", "Madrid", "ES", [("en", "B2")], ["06"], True),
    ],
    "unicatt": [
        (
            "Marketing intern for international brands",
            "Moda Lombarda",
            "internship",
            "Milano",
            "IT",
            [("en", "B2"), ("it", "B1")],
            ["04"],
            True,
        ),
        (
            "Erasmus+ traineeship in retail banking",
            "Banca dei Navigli",
            "erasmus_traineeship",
            "Milano",
            "IT",
            [("it", "B2")],
            ["04"],
            True,
        ),
    ],
    "regents": [
        (
            "Data analyst (graduate scheme)",
            "Thames Analytics",
            "graduate",
            "London",
            "GB",
            [("en", "C1")],
            ["05", "06"],
            True,
        ),
        (
            "Strategy consulting summer intern",
            "Kensington Consulting Partners",
            "internship",
            "London",
            "GB",
            [("en", "C1")],
            ["04"],
            True,
        ),
    ],
    "psb": [
        (
            "Assistant curator (volunteering)",
            "Atelier Lumière",
            "volunteering",
            "Paris",
            "FR",
            [("fr", "B2")],
            ["02"],
            False,
        ),
        (
            "Fintech product intern",
            "Paris Fintech Lab",
            "internship",
            "Paris",
            "FR",
            [("en", "B2"), ("fr", "B1")],
            ["04", "06"],
            True,
        ),
    ],
    "ebc": [
        (
            "Working student in mobility operations",
            "Spree Mobility",
            "working_student",
            "Berlin",
            "DE",
            [("de", "B2")],
            ["04"],
            True,
        ),
        (
            "Logistics trainee",
            "Hanse Logistik",
            "erasmus_traineeship",
            "Hamburg",
            "DE",
            [("de", "B1"), ("en", "B2")],
            ["04", "07"],
            True,
        ),
    ],
}

# How long ago each offer went online: a few in the past week, the others over the past months.
PUBLISHED_DAYS_AGO = {
    "Solaria Renovables": 95,
    "Tapas & Code": 4,
    "Moda Lombarda": 50,
    "Banca dei Navigli": 3,
    "Thames Analytics": 120,
    "Kensington Consulting Partners": 2,
    "Atelier Lumière": 6,
    "Paris Fintech Lab": 35,
    "Spree Mobility": 5,
    "Hanse Logistik": 1,
}

# (applicant, company of the job, days ago, the recruiter's decision since). Mateo, Tobias and Eleni study
# abroad: their applications in their host country are the "staying on" of the mobility figures.
APPLICATIONS = [
    ("student@uam.es", "Thames Analytics", 100, ApplicationStatus.HIRED),
    ("student@unicatt.it", "Solaria Renovables", 80, ApplicationStatus.REJECTED),
    ("student@psbedu.paris", "Moda Lombarda", 45, ApplicationStatus.SEEN),
    ("student@regents.ac.uk", "Moda Lombarda", 40, ApplicationStatus.SHORTLISTED),
    ("student@psbedu.paris", "Thames Analytics", 30, ApplicationStatus.SHORTLISTED),
    ("mateo.alvarez@regents.ac.uk", "Thames Analytics", 25, ApplicationStatus.SEEN),
    ("student@uam.es", "Paris Fintech Lab", 20, None),
    ("tobias.becker@psbedu.paris", "Paris Fintech Lab", 12, ApplicationStatus.SEEN),
    ("student@ebc-hochschule.de", "Tapas & Code", 3, None),
    ("eleni.papadaki@ebc-hochschule.de", "Spree Mobility", 2, None),
    ("student@unicatt.it", "Kensington Consulting Partners", 1.5, None),
    ("student@ebc-hochschule.de", "Kensington Consulting Partners", 1, None),
    ("student@regents.ac.uk", "Hanse Logistik", 0.5, None),
]

# Each demo student's saved search, in their language, made a week ago with a weekly alert by e-mail.
SAVED_SEARCHES = {
    "student@uam.es": ("Prácticas en Alemania", "country=DE"),
    "student@unicatt.it": ("Lavoro a Londra", "country=GB"),
    "student@regents.ac.uk": ("Business jobs in Europe", "field=04"),
    "student@psbedu.paris": ("Stages en Italie", "country=IT"),
    "student@ebc-hochschule.de": ("Jobs in Spanien", "country=ES"),
}


def seed_demo_jobs() -> None:
    """Idempotent: each offer is found again by its external id, an application by its job and applicant,
    a saved search by its owner and name; the alerts send each job once."""
    now = timezone.now()
    for slug, offers in DEMO_JOBS.items():
        institution = Institution.objects.get(slug=slug)
        officer = User.objects.with_role(Role.CAREER_OFFICER).filter(institution=institution).order_by("pk").first()
        for n, (title, company, kind, city, country, languages, fields, paid) in enumerate(offers):
            external_id = f"demo-{n + 1}"
            job = Job.objects.filter(institution=institution, external_id=external_id).first() or Job(
                institution=institution, external_id=external_id
            )
            new = job.pk is None
            job.title, job.company, job.kind = title, Company.objects.get(name=company), kind
            job.city, job.country, job.fields_of_study = city, country, fields
            job.paid, job.erasmus_eligible = paid, kind == "erasmus_traineeship"
            job.skills = ["Data analysis", "Excel"] if "analyst" in title.lower() else ["Communication", "Teamwork"]
            job.description = (
                f"**{company}** is looking for a motivated student or recent graduate.\n\n"
                "- Work in an international team\n- Mentoring from day one\n- Flexible start"
            )
            job = save_job(job=job, languages=languages, partner_institutions=[], by=officer)
            publish_job(job=job, by=officer)
            if new:
                posted = now - datetime.timedelta(days=PUBLISHED_DAYS_AGO[company])
                Job.objects.filter(pk=job.pk).update(created_at=posted, published_at=posted)
    jobs = {
        job.company.name: job for job in Job.objects.filter(external_id__startswith="demo-").select_related("company")
    }
    _apply(jobs, now)
    _count_views(jobs.values(), now)
    _alert(now)


def _apply(jobs: dict[str, Job], now: datetime.datetime) -> None:
    for email, company, days_ago, decision in APPLICATIONS:
        job, student = jobs[company], User.objects.get(email=email)
        if Application.objects.filter(job=job, applicant=student).exists():
            continue
        application = apply_to_job(
            job=job,
            applicant=student,
            message=f"I would like to join {company}: my CV is attached, and I can start in the spring.",
            cv=SimpleUploadedFile("cv.pdf", DEMO_CV_PDF, content_type="application/pdf"),
        )
        applied = now - datetime.timedelta(days=days_ago)
        if decision:
            change_application_status(application=application, status=decision, by=job.posted_by)
        Application.objects.filter(pk=application.pk).update(
            created_at=applied,
            updated_at=applied,
            status_changed_at=min(applied + datetime.timedelta(days=2), now) if decision else applied,
        )


def _count_views(jobs, now: datetime.datetime) -> None:
    """Page views on each of the past seven days, and on one day a month before, since the job went
    online; the counts are made up but stable, so that a second run finds the same rows."""
    today = now.astimezone(datetime.UTC).date()
    rows = []
    for job in jobs:
        online = (job.published_at or now).astimezone(datetime.UTC).date()
        days = [*range(1, 8), *range(14, (today - online).days, 30)]
        for back in days:
            day = today - datetime.timedelta(days=back)
            if day >= online:
                rows.append(JobViewDay(job=job, day=day, count=3 + (job.pk * 5 + back * 3) % 11))
    JobViewDay.objects.bulk_create(rows, ignore_conflicts=True)


def _alert(now: datetime.datetime) -> None:
    """A week ago each demo student saved a search; its alert runs now and finds the week's new jobs."""
    for email, (name, query) in SAVED_SEARCHES.items():
        student = User.objects.get(email=email)
        saved = SavedSearch.objects.filter(user=student, name=name).first()
        if saved is None:
            saved = save_search(user=student, name=name, query=query, frequency=AlertFrequency.WEEKLY, email=True)
            SavedSearch.objects.filter(pk=saved.pk).update(created_at=now - datetime.timedelta(days=8))
            saved.refresh_from_db()
        send_alert(saved_search=saved, period=alert_period(AlertFrequency.WEEKLY, now), now=now)
