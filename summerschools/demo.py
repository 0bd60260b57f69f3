"""Demo summer schools for `manage.py seed_demo`: last summer's school in Milan (hosted by UCSC) with its
participants from every partner, their teams, completion, alumni profiles and two ventures; and next
summer's school in Madrid (hosted by UAM) with its call open, company challenges with mentors,
criteria, quotas and a few applications. Giulia Rossi, the Milan student, has not applied yet."""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consortium.demo import DEMO_CV_PDF
from consortium.models import Company, Institution, Role, RoleAssignment, User
from consortium.richtext import render_markdown
from consortium.services import seats as seat_service

from .models import (
    AlumniProfile,
    Application,
    ApplicationStatus,
    Challenge,
    Criterion,
    Edition,
    EditionStatus,
    Place,
    Team,
    Venture,
)
from .services import selection

SLUGS = ["uam", "unicatt", "regents", "psb", "ebc"]
# Past participants the demo adds, two per institution: (local part, name, field of study, completed).
PARTICIPANTS = {
    "uam": [("pablo.ortega", "Pablo Ortega", "04", True), ("irene.vidal", "Irene Vidal", "06", True)],
    "unicatt": [("matteo.ferri", "Matteo Ferri", "04", True), ("alessia.gallo", "Alessia Gallo", "02", True)],
    "regents": [("george.bennett", "George Bennett", "03", True), ("amara.okafor", "Amara Okafor", "04", True)],
    "psb": [("louis.petit", "Louis Petit", "04", True), ("manon.roux", "Manon Roux", "03", False)],
    "ebc": [("jan.becker", "Jan Becker", "06", True), ("sofia.wolf", "Sofia Wolf", "04", True)],
}
PROFILES = {
    "pablo.ortega": ("Co-founder and CEO, ReLoop", "ReLoop", "Madrid", "ES"),
    "matteo.ferri": ("Co-founder, ReLoop", "ReLoop", "Milano", "IT"),
    "george.bennett": ("Product analyst", "Thames Analytics", "London", "GB"),
    "amara.okafor": ("Founder, Kitchen Share", "Kitchen Share", "London", "GB"),
    "jan.becker": ("Master's student in logistics", "EBC Hochschule", "Berlin", "DE"),
}


def seed_demo_summerschools() -> None:
    """Idempotent: editions by address; an existing edition is left as it is."""
    institutions = {i.slug: i for i in Institution.objects.filter(slug__in=SLUGS)}
    if len(institutions) < len(SLUGS):
        return
    _past_school(institutions)
    _next_school(institutions)


def _person_at(slug: str, role: str) -> User:
    return User.objects.with_role(role).filter(institution__slug=slug).order_by("pk").first()


def _student(institution: Institution, local: str, name: str) -> User:
    from consortium.management.commands.seed_demo import DEMO_PASSWORD

    email = f"{local}@{institution.domains.order_by('pk').first().domain}"
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name, "institution": institution})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.STUDENT)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _edition(host, *, slug, organisers, partners, quotas, criteria, **fields) -> Edition | None:
    if Edition.objects.filter(slug=slug).exists():
        return None
    plan = seat_service.create_seat_plan(
        kind=selection.SEAT_KIND,
        capacity=sum(quotas.values()),
        quotas={i.pk: n for i, n in quotas.items()},
        offer_hours=selection.OFFER_HOURS,
    )
    edition = Edition.objects.create(
        host=host,
        slug=slug,
        seat_plan=plan,
        status=EditionStatus.PUBLISHED,
        description_html=render_markdown(fields.get("description", "")),
        **fields,
    )
    edition.co_organisers.set(partners)
    edition.organisers.set(organisers)
    Criterion.objects.bulk_create(Criterion(edition=edition, name=n, weight=w) for n, w in criteria)
    return edition


def _past_school(institutions) -> None:
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    starts_on = datetime.date(year, 7, 6)
    opens = timezone.make_aware(datetime.datetime(year, 2, 1, 9))
    edition = _edition(
        institutions["unicatt"],
        slug=f"milan-venture-lab-{year}",
        title=f"Milan Venture Lab {year}",
        theme="Circular business models for fashion and food",
        year=year,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=11),
        on_site_days=10,
        place=Place.BLENDED,
        city="Milano",
        venue="Largo Agostino Gemelli 1",
        time_zone="Europe/Rome",
        ects=Decimal("4.0"),
        description="Twelve days of **venture building** with Milan's fashion and food companies.",
        learning_outcomes="Validate a business idea with customers\nPitch a venture to investors",
        call_opens_at=opens,
        call_closes_at=opens + datetime.timedelta(days=90),
        organisers=[_person_at("unicatt", Role.ACADEMIC), _person_at("uam", Role.ACADEMIC)],
        partners=[institutions[s] for s in SLUGS if s != "unicatt"],
        quotas={institutions[s]: 4 for s in SLUGS},
        criteria=[("Motivation", 2), ("Entrepreneurial experience", 1)],
    )
    if edition is None:
        return
    teams = [Team.objects.create(edition=edition, number=n, name=name) for n, name in [(1, "Loop"), (2, "Harvest")]]
    people = {}
    for n, (slug, participants) in enumerate(PARTICIPANTS.items()):
        for m, (local, name, field, completed) in enumerate(participants):
            student = _student(institutions[slug], local, name)
            people[local] = student
            Application.objects.create(
                edition=edition,
                student=student,
                institution=institutions[slug],
                motivation="I want to turn a project into a company.",
                cv=SimpleUploadedFile("cv.pdf", DEMO_CV_PDF),
                languages=[["en", "C1"]],
                field_of_study=field,
                status=ApplicationStatus.CONFIRMED,
                decided_at=opens + datetime.timedelta(days=100),
                team=teams[(n + m) % 2],
                completed=completed,
            )
    for local, (role, organisation, city, country) in PROFILES.items():
        AlumniProfile.objects.create(
            user=people[local], current_role=role, organisation=organisation, city=city, country=country
        )
    reloop_text = "Returnable packaging for **fashion e-commerce**, born in team Loop."
    reloop = Venture.objects.create(
        edition=edition,
        name="ReLoop",
        description=reloop_text,
        description_html=render_markdown(reloop_text),
        website="https://reloop.example",
        founded_year=year,
        country="IT",
        added_by=people["matteo.ferri"],
    )
    reloop.founders.set([people["pablo.ortega"], people["matteo.ferri"], people["sofia.wolf"]])
    kitchen_text = "Restaurants share idle kitchens with food start-ups."
    kitchen = Venture.objects.create(
        edition=edition,
        name="Kitchen Share",
        description=kitchen_text,
        description_html=render_markdown(kitchen_text),
        founded_year=today.year,
        country="GB",
        added_by=_person_at("unicatt", Role.ACADEMIC),
    )
    kitchen.founders.set([people["amara.okafor"]])


def _next_school(institutions) -> None:
    today = timezone.localdate()
    year = today.year + 1
    starts_on = datetime.date(year, 7, 5)
    organisers = [_person_at("uam", Role.ACADEMIC), *(_person_at(s, Role.CAREER_OFFICER) for s in SLUGS)]
    edition = _edition(
        institutions["uam"],
        slug=f"madrid-impact-school-{year}",
        title=f"Madrid Impact School {year}",
        theme="Clean energy and mobility ventures",
        year=year,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=9),
        on_site_days=10,
        place=Place.ON_SITE,
        city="Madrid",
        venue="Campus de Cantoblanco",
        time_zone="Europe/Madrid",
        ects=Decimal("5.0"),
        description="Ten days in Madrid: mixed teams take on **real challenges** from companies of the network.",
        call_opens_at=timezone.now() - datetime.timedelta(days=7),
        call_closes_at=timezone.make_aware(datetime.datetime(year, 4, 30, 23, 59)),
        organisers=organisers,
        partners=[institutions[s] for s in SLUGS if s != "uam"],
        quotas={institutions[s]: 5 for s in SLUGS},
        criteria=[("Motivation", 3), ("Relevance of studies", 2), ("Language level", 1)],
    )
    if edition is None:
        return
    challenges = []
    contact = {c.company.slug: c for c in User.objects.filter(company__isnull=False).select_related("company")}
    for company, title, mentor in [
        ("solaria-renovables", "Solar power for rural cooperatives", contact.get("solaria-renovables")),
        ("thames-analytics", "Data to cut empty delivery runs", contact.get("thames-analytics")),
        ("tapas-code", "A booking app for neighbourhood restaurants", _person_at("uam", Role.ACADEMIC)),
    ]:
        challenges.append(
            Challenge.objects.create(
                edition=edition, company=Company.objects.get(slug=company), title=title, mentor=mentor
            )
        )
    applications = {}
    for slug in ("regents", "psb", "ebc"):
        student = _person_at(slug, Role.STUDENT)
        applications[slug] = selection.apply(
            edition=edition,
            student=student,
            motivation="I would like to build an energy venture with students from other countries.",
            cv=SimpleUploadedFile("cv.pdf", DEMO_CV_PDF, content_type="application/pdf"),
            languages=[("en", "C1")],
            field_of_study="07",
            preferred_challenges=challenges[:2],
        )
    # Regent's accepts its student, who is yet to confirm; Paris's student has confirmed; Berlin's waits.
    selection.accept_application(application=applications["regents"], by=_person_at("regents", Role.CAREER_OFFICER))
    accepted = selection.accept_application(application=applications["psb"], by=_person_at("psb", Role.CAREER_OFFICER))
    selection.confirm_application(application=accepted, by=accepted.student)
