"""The core's share of the demo's activity, for `manage.py seed_demo`: support requests between the
members in every state (with a deadline missed and knowledge-base articles), spread over the past
months so that the impact figures and the officers' digests have something to show; and the students'
consent to the weekly digest.

The support services write every request and step as a real officer would; the timestamps of each step
are then moved to the moment its story gives, since the services only know the present."""

import datetime

from django.utils import timezone

from .models import (
    Channel,
    ConsentRecord,
    DegreeLevel,
    Institution,
    KnowledgeArticle,
    NotificationPreference,
    SupportBreach,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    User,
)
from .services import knowledge, support
from .services.digests import DIGEST_KIND
from .services.notifications import set_notification_preferences
from .services.support_sla import check_support_deadlines, first_response_due

# A minimal PDF that passes the upload check: the CV of every demo application.
DEMO_CV_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Each request: who asks, whom (an institution's slug, or None to route by country), and its story as
# (days ago, action, who acts, text or rating); "breach" happens when the deadline passes, whenever that is.
SUPPORT_REQUESTS = [
    {
        "subject": "Graduate visa for a Spanish master's student in London",
        "by": "officer@uam.es",
        "to": "regents",
        "country": "GB",
        "category": SupportCategory.PERMITS,
        "field_of_study": "04",
        "degree_level": DegreeLevel.MASTER,
        "languages": [["en", "C1"], ["es", "C2"]],
        "target_role": "Management consulting",
        "timeframe": "After graduating in June",
        "question": (
            "A student finishing a master's in management with us has an offer of a six-month paid internship "
            "at a consultancy in London, starting after graduation. She holds Spanish citizenship and no UK "
            "status. Which visa route fits, who has to sponsor it, and how long should she plan for?"
        ),
        "opened": 75,
        "story": [
            (74.8, "claim", "officer@regents.ac.uk", ""),
            (
                74.6,
                "answer",
                "officer@regents.ac.uk",
                "She needs a visa before she starts, as any EU citizen without settled status does now. For a "
                "paid internship the usual route is the Government Authorised Exchange (Temporary Work) "
                "visa, sponsored by an approved internship scheme rather than by the consultancy itself.\n\n"
                "- Plan for six to eight weeks: the scheme's certificate first, then the visa application.\n"
                "- The internship has to relate to her degree, and the pay has to meet the scheme's minimum.\n"
                "- She pays the visa fee and the immigration health surcharge.\n\n"
                "If the firm offers her a graduate job instead, it needs a Skilled Worker sponsor licence.",
            ),
            (72, "resolve", "officer@uam.es", 5),
            (2, "publish", "officer@regents.ac.uk", ""),
        ],
    },
    {
        "subject": "CV norms for fintech internships in Paris",
        "by": "officer@regents.ac.uk",
        "to": "psb",
        "country": "FR",
        "category": SupportCategory.APPLICATIONS,
        "field_of_study": "04",
        "degree_level": DegreeLevel.BACHELOR,
        "languages": [["en", "C2"], ["fr", "B2"]],
        "target_role": "Fintech product or operations",
        "timeframe": "Spring internship",
        "question": (
            "One of our finance students is applying for internships at fintech start-ups in Paris. Should her "
            "CV be in French or English, on one page or two, with a photo or without? Her French is B2."
        ),
        "opened": 40,
        "story": [
            (39.7, "claim", "officer@psbedu.paris", ""),
            (
                39.5,
                "answer",
                "officer@psbedu.paris",
                "Start-ups accept a CV in English when the offer is written in English; otherwise send it in "
                "French, read by a native speaker. One page for a student. A photo is no longer expected and "
                "many start-ups prefer none.\n\nAdd her French level (B2, with the certificate if she has one) "
                "and her dates: an internship in France needs an agreement signed by the school, so recruiters "
                "ask early whether her university will sign one.",
            ),
            (38, "resolve", "officer@regents.ac.uk", 4),
            (36, "publish", "officer@psbedu.paris", ""),
        ],
    },
    {
        "subject": "Erasmus+ traineeship grant and pay in Hamburg",
        "by": "officer@unicatt.it",
        "to": "ebc",
        "country": "DE",
        "category": SupportCategory.INTERNSHIPS,
        "field_of_study": "04",
        "degree_level": DegreeLevel.MASTER,
        "languages": [["de", "B1"], ["en", "C1"]],
        "target_role": "Logistics",
        "timeframe": "Four months from March",
        "question": (
            "Two of our economics students have traineeship offers from logistics companies in Hamburg for the "
            "spring. Can they combine an Erasmus+ traineeship grant with the company's pay, and does the company "
            "sign anything beyond our learning agreement?"
        ),
        "opened": 21,
        "story": [
            (None, "breach", "", ""),
            (
                12,
                "answer",
                "officer@ebc-hochschule.de",
                "Sorry for the slow answer: our team was at a careers fair all week. Yes, the grant and the pay "
                "can be combined. The company signs the Learning Agreement for Traineeships; nothing else is "
                "required, but ask it for an internship contract (Praktikumsvertrag) with the dates and pay.",
            ),
            (
                11,
                "reply",
                "officer@unicatt.it",
                "Thank you! Does the minimum wage apply if the traineeship is voluntary and lasts four months?",
            ),
            (
                10,
                "answer",
                "officer@ebc-hochschule.de",
                "Yes: a voluntary internship of more than three months is paid at least the minimum wage from "
                "the first day. A shorter one, or one the degree requires, is not.",
            ),
        ],
    },
    {
        "subject": "English-speaking internships in Madrid this spring",
        "by": "officer@regents.ac.uk",
        "to": "uam",
        "country": "ES",
        "category": SupportCategory.COMPANY_CONTACTS,
        "field_of_study": "04",
        "degree_level": DegreeLevel.BACHELOR,
        "languages": [["en", "C2"], ["es", "B1"]],
        "target_role": "Marketing or analysis",
        "timeframe": "March to June",
        "question": (
            "A second-year business student wants a spring internship in Madrid, in marketing or analysis. "
            "Which companies in your network take interns who work in English, and when do they recruit?"
        ),
        "opened": 5,
        "story": [
            (4.9, "claim", "officer@uam.es", ""),
            (
                4.6,
                "answer",
                "officer@uam.es",
                "Two partners of ours take interns who work in English: Solaria Renovables (energy "
                "analysis) and Tapas & Code (digital products). Both recruit for the spring from November "
                "to January, and both post on the consortium's job board.",
            ),
            (3.2, "reply", "officer@regents.ac.uk", "Thank you. Her Spanish is B1: is that enough for Solaria?"),
            (
                2.8,
                "answer",
                "officer@uam.es",
                "B1 is fine for the analyst internship if her English is strong: the team works in both "
                "languages. I have told their recruiter to expect her application through the job page.",
            ),
        ],
    },
    {
        "subject": "Italian work permit for a non-EU graduate living in Germany",
        "by": "officer@ebc-hochschule.de",
        "to": "unicatt",
        "country": "IT",
        "category": SupportCategory.PERMITS,
        "field_of_study": "02",
        "degree_level": DegreeLevel.GRADUATE,
        "languages": [["en", "C1"], ["it", "A2"]],
        "target_role": "Product design",
        "timeframe": "As soon as possible",
        "question": (
            "A graduate of ours from outside the EU, with a German residence permit for study, has an offer "
            "from a design studio in Milan. Can she start on her German permit, or does she need an Italian "
            "work permit first? How long does that take?"
        ),
        "opened": 9,
        "story": [(None, "breach", "", "")],
    },
    {
        "subject": "Junior data analyst market in London",
        "by": "officer@psbedu.paris",
        "to": None,
        "country": "GB",
        "category": SupportCategory.LABOUR_MARKET,
        "field_of_study": "05",
        "degree_level": DegreeLevel.MASTER,
        "languages": [["en", "C1"], ["fr", "C2"]],
        "target_role": "Data analysis",
        "timeframe": "Next September",
        "question": (
            "Our students ask how the London market for junior data analysts looks this year: which sectors "
            "hire, what starting salaries are usual, and whether employers expect a master's."
        ),
        "opened": 1,
        "story": [],
    },
    {
        "subject": "Paying a two-month summer intern in Paris",
        "by": "officer2@uam.es",
        "to": "psb",
        "country": "FR",
        "category": SupportCategory.INTERNSHIPS,
        "field_of_study": "03",
        "degree_level": DegreeLevel.BACHELOR,
        "languages": [["fr", "B2"]],
        "target_role": "Communication",
        "timeframe": "July and August",
        "question": (
            "A student of ours found a two-month summer internship at a communication agency in Paris. Does the "
            "agency have to pay her, and does our university have to sign an internship agreement?"
        ),
        "opened": 2,
        "story": [(1, "claim", "officer@psbedu.paris", "")],
    },
    {
        "subject": "Staying in the Netherlands after a UK degree",
        "by": "officer2@regents.ac.uk",
        "to": None,
        "country": "NL",
        "category": SupportCategory.PERMITS,
        "field_of_study": "04",
        "degree_level": DegreeLevel.BACHELOR,
        "languages": [["en", "C2"]],
        "target_role": "Any graduate role",
        "timeframe": "After graduating in July",
        "question": (
            "A graduate of ours from outside the EU wants to look for work in Amsterdam. Which job-search "
            "options does a graduate of a UK university have in the Netherlands?"
        ),
        "opened": 1.5,
        "story": [],
    },
]

# Timestamps the support services set to the present, which a step of a story moves to its moment.
STEP_FIELDS = ("claimed_at", "first_response_at", "answered_at", "resolved_at", "reminded_at")


def seed_demo_support_desk() -> None:
    """Idempotent: a request is found again by its subject, and one already there is left as it is."""
    now = timezone.now()
    for spec in SUPPORT_REQUESTS:
        if not SupportRequest.objects.filter(subject=spec["subject"]).exists():
            _play(spec, now)


def _person(email: str) -> User:
    return User.objects.get(email=email)


def _play(spec: dict, now: datetime.datetime) -> None:
    opened = now - datetime.timedelta(days=spec["opened"])
    request = support.open_support_request(
        requester=_person(spec["by"]),
        target_country=spec["country"],
        target_institution=Institution.objects.get(slug=spec["to"]) if spec["to"] else None,
        category=spec["category"],
        subject=spec["subject"],
        question=spec["question"],
        field_of_study=spec["field_of_study"],
        degree_level=spec["degree_level"],
        languages=spec["languages"],
        target_role=spec["target_role"],
        timeframe=spec["timeframe"],
    )
    country = request.target_institution.country.code if request.target_institution else spec["country"]
    SupportRequest.objects.filter(pk=request.pk).update(
        created_at=opened, first_response_due_at=first_response_due(country=country, opened_at=opened)
    )
    request.messages.update(created_at=opened)
    for days_ago, action, email, value in spec["story"]:
        request.refresh_from_db()
        started = timezone.now()
        if action == "breach":
            moment = request.first_response_due_at + datetime.timedelta(hours=1)
            check_support_deadlines(now=moment)
        else:
            moment = now - datetime.timedelta(days=days_ago)
            _act(request, action, _person(email), value)
        _move_step(request, started, moment)


def _act(request: SupportRequest, action: str, person: User, value) -> None:
    if action == "claim":
        support.claim_support_request(request=request, by=person)
    elif action in ("answer", "reply"):
        support.post_support_message(request=request, author=person, body=value)
    elif action == "resolve":
        support.resolve_support_request(request=request, by=person, rating=value, publication_consent=True)
    elif action == "publish":
        draft = knowledge.article_draft(support_request=request, by=person)
        knowledge.publish_article(
            support_request=request,
            by=person,
            title=draft.title,
            question=draft.question,
            answer=draft.answer,
            country=draft.country.code,
            category=draft.category,
        )
    else:
        raise ValueError(f"Unknown step {action!r} in the demo's support desk.")


def _move_step(request: SupportRequest, started: datetime.datetime, moment: datetime.datetime) -> None:
    """Move what one step wrote (the timestamps it set at or after `started`) to `moment`."""
    request.refresh_from_db()
    changed = {name: moment for name in STEP_FIELDS if (value := getattr(request, name)) and value >= started}
    if changed:
        SupportRequest.objects.filter(pk=request.pk).update(**changed)
    SupportMessage.objects.filter(request=request, created_at__gte=started).update(created_at=moment)
    SupportBreach.objects.filter(request=request, recorded_at__gte=started).update(recorded_at=moment)
    KnowledgeArticle.objects.filter(source_request=request, published_at__gte=started).update(
        published_at=moment, created_at=moment
    )


def opt_in_to_digest(student: User) -> None:
    """The student asks for the weekly digest by e-mail, as on the notification settings page; one who has
    chosen otherwise since (through an unsubscribe link, say) keeps their choice."""
    if not NotificationPreference.objects.filter(user=student, kind=DIGEST_KIND).exists():
        set_notification_preferences(
            user=student,
            choices={DIGEST_KIND: {Channel.IN_APP, Channel.EMAIL}},
            source=ConsentRecord.Source.PREFERENCES,
        )
