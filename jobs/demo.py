"""Demo offers for `manage.py seed_demo`, posted and published through the services like real ones."""

from consortium.models import Company, Institution, Role, User

from .models import Job
from .services import publish_job, save_job

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


def seed_demo_jobs() -> None:
    """Idempotent: each offer is found again by its external id."""
    for slug, offers in DEMO_JOBS.items():
        institution = Institution.objects.get(slug=slug)
        officer = User.objects.with_role(Role.CAREER_OFFICER).filter(institution=institution).order_by("pk").first()
        for n, (title, company, kind, city, country, languages, fields, paid) in enumerate(offers):
            external_id = f"demo-{n + 1}"
            job = Job.objects.filter(institution=institution, external_id=external_id).first() or Job(
                institution=institution, external_id=external_id
            )
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
