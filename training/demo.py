"""Demo curriculum and training weeks for `manage.py seed_demo`: an upcoming week in Madrid hosted by
UAM, with its agenda, quotas and a few registrations, and a past week in Milan with attendance."""

import datetime

from django.utils import timezone

from consortium.models import Institution, Role, User
from consortium.services import seats as seat_service

from . import services
from .models import Module, Registration, RegistrationStatus, Session, TrainingPolicy, TrainingWeek, WeekStatus

MODULES = [
    ("ECA-01", "Labour markets of Europe", "Compare the graduate labour markets of the consortium's countries.\n"
     "Point a student to the sectors that recruit in a given region."),
    ("ECA-02", "Advising for international mobility", "Plan an Erasmus+ traineeship with a student.\n"
     "Explain visas, recognition and social security for a stay abroad."),
    ("ECA-03", "CVs and applications across cultures", "Adapt a CV and a cover letter to the host country's habits.\n"
     "Spot what a recruiter there expects in an application."),
    ("ECA-04", "Working with employers", "Build a relationship with an employer that lasts beyond one offer.\n"
     "Check a company before its offers reach students."),
    ("ECA-05", "Entrepreneurship and self-employment", "Guide a student with a business idea to the right support.\n"
     "Explain the first legal steps of self-employment in the host country."),
    ("ECA-06", "Guidance interviews", "Run a structured guidance interview.\n"
     "Agree on next steps a student can act on."),
    ("ECA-07", "Digital tools for career services", "Use the consortium's job board and guides with students.\n"
     "Choose online formats that work for group guidance."),
    ("ECA-08", "Inclusion and equal opportunities", "Adapt guidance to students with disabilities.\n"
     "Recognise discrimination in recruitment and act on it."),
]  # fmt: skip

MADRID_AGENDA = [
    (0, "09:30", "11:00", "Welcome and the Madrid labour market", "ECA-01", "Sala de Grados"),
    (0, "11:30", "13:00", "Visit: Comunidad de Madrid employment service", "ECA-04", "Off campus"),
    (1, "09:30", "12:30", "CVs and interviews the Spanish way", "ECA-03", "Aula 12"),
    (2, "10:00", "13:00", "Company visits: Solaria Renovables", "ECA-04", "Off campus"),
    (3, "09:30", "12:30", "Traineeships and mobility in Spain", "ECA-02", "Aula 12"),
    (4, "10:00", "12:00", "Wrap-up and evaluation", "ECA-06", "Sala de Grados"),
]
MILAN_AGENDA = [
    (0, "09:30", "12:30", "Il mercato del lavoro lombardo", "ECA-01", "Aula Magna"),
    (1, "09:30", "12:30", "Fashion and design employers", "ECA-04", "Aula 201"),
    (2, "10:00", "13:00", "Start-ups in Milan", "ECA-05", "PoliHub"),
    (3, "09:30", "12:00", "Guidance interviews in practice", "ECA-06", "Aula 201"),
]


def seed_demo_training() -> None:
    """Idempotent: modules by code, weeks by address; an existing week is left as it is."""
    for position, (code, title, outcomes) in enumerate(MODULES, start=1):
        Module.objects.update_or_create(
            code=code, defaults={"title": title, "learning_outcomes": outcomes, "position": position}
        )
    today = timezone.localdate()
    institutions = {i.slug: i for i in Institution.objects.filter(slug__in=["uam", "unicatt", "regents", "psb", "ebc"])}
    if len(institutions) < 5:
        return
    # The Paris school takes its staff's registrations without approval.
    TrainingPolicy.objects.update_or_create(institution=institutions["psb"], defaults={"approval_required": False})
    madrid = _week(
        institutions["uam"],
        slug="madrid-spring-week",
        title="Staff training week in Madrid: careers in Spain",
        starts_on=today + datetime.timedelta(days=(7 - today.weekday()) % 7 + 42),
        city="Madrid",
        venue="Campus de Cantoblanco, Universidad Autónoma de Madrid",
        time_zone="Europe/Madrid",
        language="en",
        quotas={institutions[s]: 5 for s in ("unicatt", "regents", "psb", "ebc")},
        agenda=MADRID_AGENDA,
    )
    milan = _week(
        institutions["unicatt"],
        slug="milan-autumn-week",
        title="Staff training week in Milan: fashion, design and start-ups",
        starts_on=today - datetime.timedelta(days=today.weekday() + 56),
        city="Milano",
        venue="Largo Agostino Gemelli 1, Milano",
        time_zone="Europe/Rome",
        language="en",
        quotas={institutions[s]: 4 for s in ("uam", "regents", "psb", "ebc")},
        agenda=MILAN_AGENDA,
    )
    if madrid and not madrid.registrations.exists():
        services.register_for_week(week=madrid, person=_person("regents", "officer"))  # waits for approval
        services.register_for_week(week=madrid, person=_person("psb", "officer"))  # no approval in Paris
        registration = services.register_for_week(week=madrid, person=_person("ebc", "officer"))
        services.approve_registration(registration=registration, by=_person("ebc", "admin"))
    if milan and not milan.registrations.exists():
        host_officer = _person("unicatt", "officer")
        for slug, key in [("uam", "officer"), ("regents", "officer2"), ("ebc", "academic")]:
            registration = _past_registration(milan, _person(slug, key))
            for n, session in enumerate(milan.sessions.all()):
                if key != "academic" or n % 2 == 0:
                    services.set_attendance(session=session, registration=registration, present=True, by=host_officer)


def _person(slug: str, key: str) -> User:
    roles = {"officer": Role.CAREER_OFFICER, "officer2": Role.CAREER_OFFICER, "admin": Role.PARTNER_ADMIN,
             "academic": Role.ACADEMIC}  # fmt: skip
    people = User.objects.with_role(roles[key]).filter(institution__slug=slug).order_by("pk")
    return people[1] if key == "officer2" and people.count() > 1 else people.first()


def _week(host, *, slug, title, starts_on, city, venue, time_zone, language, quotas, agenda) -> TrainingWeek | None:
    if TrainingWeek.objects.filter(slug=slug).exists():
        return None
    organiser = User.objects.holding(host, Role.CAREER_OFFICER).order_by("pk").first()
    now = timezone.now()
    past = starts_on < timezone.localdate()
    week = TrainingWeek(
        host=host,
        slug=slug,
        title=title,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=4),
        city=city,
        venue=venue,
        time_zone=time_zone,
        language=language,
        contact=organiser,
        description=(
            f"Five days at **{host.name}** to learn first hand how graduates find work in {city}: "
            "the local labour market, employers' expectations and the support students get.\n\n"
            "- Visits to employers and the public employment service\n- Workshops with the host's career team\n"
            "- A certificate of attendance naming the curriculum modules covered"
        ),
        registration_opens_at=now - datetime.timedelta(days=90 if past else 7),
        registration_closes_at=now - datetime.timedelta(days=70) if past else now + datetime.timedelta(days=30),
    )
    week = services.save_week(week=week, capacity=25, quotas=quotas, by=organiser)
    modules = {m.code: m for m in Module.objects.all()}
    for offset, start, end, session_title, code, room in agenda:
        services.save_session(
            session=Session(
                week=week,
                day=week.starts_on + datetime.timedelta(days=offset),
                starts_at=datetime.time.fromisoformat(start),
                ends_at=datetime.time.fromisoformat(end),
                title=session_title,
                room=room,
                speaker=organiser.full_name if organiser else "",
                module=modules.get(code),
            ),
            by=organiser,
        )
    TrainingWeek.objects.filter(pk=week.pk).update(status=WeekStatus.PUBLISHED)
    week.status = WeekStatus.PUBLISHED
    return week


def _past_registration(week: TrainingWeek, person: User) -> Registration:
    """A registration of a week whose window has closed, as it stood at the end: confirmed."""
    seat = seat_service.request_seat(plan=week.seat_plan, holder=person, institution=person.institution)
    return Registration.objects.create(
        week=week, person=person, institution=person.institution, status=RegistrationStatus.APPROVED, seat=seat
    )
