"""Demo guides and resources for `manage.py seed_demo`."""

# Country guides
# The text lives in guides/templates/guides/demo/<country>-<language>.md, one "@@ <section key>" line
# before each section. Written by each country's liaison officer, approved by a colleague invited as
# editor; published directly as revision 1 (no notifications: nobody acted).

DEMO_GUIDES = {"ES": ["en", "es"], "IT": ["en", "it"], "GB": ["en"], "FR": ["en", "fr"], "DE": ["en", "de"]}
# One section reviewed long ago, so that the demo shows the staleness notice and reminder.
DEMO_STALE = ("DE", "en", "work-permits-and-visas")


def _demo_guide_text(country: str, language: str) -> dict[str, str]:
    from pathlib import Path

    path = Path(__file__).parent / "templates" / "guides" / "demo" / f"{country.lower()}-{language}.md"
    sections, key = {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("@@ "):
            key = line[3:].strip()
            sections[key] = []
        elif key is not None:
            sections[key].append(line)
    return {key: "\n".join(lines).strip() for key, lines in sections.items()}


def seed_demo_guides() -> None:
    from datetime import timedelta

    from django.utils import timezone

    from consortium.models import LiaisonNomination, Role, User
    from consortium.richtext import render_markdown

    from .models import CountryGuide, GuideEdition, GuideEditor, GuideRevision, GuideSection, SectionKey

    now = timezone.now()
    for country, languages in DEMO_GUIDES.items():
        liaison = LiaisonNomination.objects.active().filter(institution__country=country).select_related("officer")
        author = liaison.first().officer if liaison.exists() else None
        colleague = (
            User.objects.with_role(Role.CAREER_OFFICER)
            .filter(institution=author.institution)
            .exclude(pk=author.pk)
            .order_by("pk")
            .first()
            if author
            else None
        )
        guide, _created = CountryGuide.objects.get_or_create(country=country)
        if colleague is not None:
            GuideEditor.objects.get_or_create(guide=guide, user=colleague, defaults={"invited_by": author})
        for language in languages:
            edition, _created = GuideEdition.objects.get_or_create(guide=guide, language=language)
            if edition.current_revision_id:
                continue
            content = _demo_guide_text(country, language)
            content = {key: content.get(key, "") for key in SectionKey.values}
            published = now - timedelta(days=40)
            revision = GuideRevision.objects.create(
                edition=edition,
                number=1,
                content=content,
                note="First edition",
                author=author,
                approved_by=colleague,
                published_at=published,
            )
            for key, text in content.items():
                reviewed = now - timedelta(days=430) if (country, language, key) == DEMO_STALE else published
                GuideSection.objects.update_or_create(
                    edition=edition,
                    key=key,
                    defaults={
                        "body_markdown": text,
                        "body_html": render_markdown(text),
                        "last_reviewed_at": reviewed,
                        "last_reviewed_by": colleague,
                    },
                )
            edition.current_revision, edition.published_at = revision, published
            edition.save(update_fields=["current_revision", "published_at", "updated_at"])


# Resource library
# Shared by each demo institution's first career officer: (title, kind, language, audience, countries,
# tags, description, and either the paragraphs of a small generated PDF or a link on the institution's site).
DEMO_RESOURCES = {
    "uam": [
        (
            "Guía para solicitar prácticas en España",
            "application_guide",
            "es",
            "students",
            ["ES"],
            ["prácticas", "solicitud"],
            "Paso a paso: dónde buscar prácticas extracurriculares, cómo funciona el convenio de cooperación "
            "educativa y qué documentos pide la empresa.",
            [
                "1. Busca en el portal de empleo de la universidad y en las bolsas de las empresas.",
                "2. Prepara un CV de una página y una carta breve adaptada a cada oferta.",
                "3. Antes de empezar, la universidad y la empresa firman el convenio de cooperación educativa.",
                "4. Las prácticas extracurriculares pueden durar hasta el 50 % del curso académico.",
            ],
        ),
        (
            "Plantilla de CV comentada (Europass y formato libre)",
            "cv_template",
            "es",
            "students",
            ["ES"],
            ["cv", "europass"],
            "Una plantilla con comentarios al margen: qué esperan los reclutadores en España y cuándo usar Europass.",
            [
                "Datos de contacto: nombre, teléfono, correo y ciudad. Sin foto, salvo que la oferta la pida.",
                "Formación: titulación, universidad, fechas y, si ayuda, la nota media.",
                "Experiencia: logros con cifras, no solo tareas.",
                "Idiomas: nivel según el Marco Común Europeo (A1 a C2).",
            ],
        ),
        (
            "Taller: entrevistas por competencias (diapositivas)",
            "workshop_slides",
            "es",
            "both",
            ["ES"],
            ["entrevista", "taller"],
            "Las diapositivas del taller de entrevistas por competencias, con el método STAR y ejercicios en parejas.",
            "https://www.uam.es/uam/estudiantes/empleabilidad/talleres",
        ),
    ],
    "unicatt": [
        (
            "Come scrivere una lettera di presentazione",
            "application_guide",
            "it",
            "students",
            ["IT"],
            ["lettera di presentazione", "candidatura"],
            "Struttura, tono e errori da evitare nella lettera di presentazione per aziende italiane.",
            [
                "Apertura: per quale posizione ti candidi e come l'hai trovata.",
                "Corpo: due o tre esempi concreti che collegano il tuo percorso all'azienda.",
                "Chiusura: disponibilità per un colloquio e ringraziamenti.",
                "Lunghezza: una pagina al massimo, firmata e in PDF.",
            ],
        ),
        (
            "Webinar registrato: il mercato del lavoro in Lombardia",
            "recording",
            "it",
            "both",
            ["IT"],
            ["mercato del lavoro", "webinar"],
            "La registrazione del webinar con i settori che assumono laureati a Milano e dintorni.",
            "https://www.unicatt.it/orientamento-e-placement/webinar-mercato-del-lavoro",
        ),
    ],
    "regents": [
        (
            "Applying for graduate schemes in the UK",
            "application_guide",
            "en",
            "students",
            ["GB"],
            ["graduate scheme", "applications", "assessment centre"],
            "Timelines, online tests and assessment centres: how UK graduate schemes recruit, and how to prepare.",
            [
                "Most schemes open in September and close between November and January for the following autumn.",
                "Expect an online application, psychometric tests, a video interview and an assessment centre.",
                "Tailor every application: schemes screen on motivation and on evidence of their competencies.",
                "International graduates: check whether the employer is a licensed visa sponsor.",
            ],
        ),
        (
            "Two-page CV template for UK employers",
            "cv_template",
            "en",
            "students",
            ["GB"],
            ["cv", "template"],
            "A plain template without photo, date of birth or marital status, as UK employers expect.",
            "https://www.regents.ac.uk/careers/cv-template",
        ),
        (
            "Running a CV clinic: facilitator slides",
            "workshop_slides",
            "en",
            "staff",
            [],
            ["cv", "facilitation", "workshop"],
            "For career advisers: the slides and timings of a 90-minute CV clinic for groups of twenty.",
            "https://www.regents.ac.uk/careers/staff/cv-clinic-slides",
        ),
    ],
    "psb": [
        (
            "Réussir son entretien d'embauche en France",
            "application_guide",
            "fr",
            "students",
            ["FR"],
            ["entretien", "candidature"],
            "Les questions classiques, la présentation en deux minutes et les codes de l'entretien en France.",
            [
                "Préparez une présentation de deux minutes : formation, expériences, projet professionnel.",
                "Renseignez-vous sur l'entreprise : chiffres clés, actualités, concurrents.",
                "Vouvoiement de rigueur, sauf si le recruteur propose le tutoiement.",
                "Terminez par une ou deux questions sur le poste et les prochaines étapes.",
            ],
        ),
        (
            "Recording: working in France after your studies",
            "recording",
            "en",
            "both",
            ["FR"],
            ["visa", "talent passport", "webinar"],
            "The temporary residence permit to look for work (APS) and the talent passport, explained by our "
            "international office.",
            "https://www.psbedu.paris/en/careers/webinars/working-in-france",
        ),
    ],
    "ebc": [
        (
            "Bewerbungsmappe: Anschreiben und Lebenslauf",
            "application_guide",
            "de",
            "students",
            ["DE"],
            ["bewerbung", "lebenslauf", "anschreiben"],
            "Was in eine deutsche Bewerbungsmappe gehört und wie Anschreiben und tabellarischer Lebenslauf aussehen.",
            [
                "Anschreiben: eine Seite, mit Bezug auf die Stellenanzeige und das Unternehmen.",
                "Lebenslauf: tabellarisch, lückenlos, rückwärts chronologisch.",
                "Anlagen: Zeugnisse, Arbeitszeugnisse und Sprachzertifikate als ein PDF.",
                "Ein Bewerbungsfoto ist üblich, aber nicht vorgeschrieben.",
            ],
        ),
        (
            "Advising international students on German work permits",
            "other",
            "en",
            "staff",
            ["DE"],
            ["visa", "work permit", "advising"],
            "A briefing for career staff: the 18-month job-seeker residence permit, the EU Blue Card and "
            "what students may work while studying.",
            [
                "Graduates of German universities may stay up to 18 months to look for a job matching their degree.",
                "The EU Blue Card needs a degree and a job offer above the salary threshold of the year.",
                "Students from outside the EU may work 140 full days or 280 half days a year.",
                "Refer individual cases to the international office; do not give legal advice.",
            ],
        ),
    ],
}


def _demo_pdf(title: str, paragraphs: list[str]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title(title)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, title)
    pdf.ln(4)
    pdf.set_font("Helvetica", size=11)
    for paragraph in paragraphs:
        pdf.multi_cell(0, 6, paragraph)
        pdf.ln(2)
    return bytes(pdf.output())


def seed_demo_resources() -> None:
    """Idempotent: each resource is found again by its institution and title, and left as it is."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils.text import slugify

    from consortium.models import Institution, Role, User

    from .models import Resource
    from .services.resources import save_resource

    for slug, items in DEMO_RESOURCES.items():
        institution = Institution.objects.get(slug=slug)
        officer = User.objects.with_role(Role.CAREER_OFFICER).filter(institution=institution).order_by("pk").first()
        for title, kind, language, audience, countries, tags, description, content in items:
            if Resource.objects.filter(owner=institution, title=title).exists():
                continue
            resource = Resource(
                owner=institution,
                title=title,
                kind=kind,
                language=language,
                audience=audience,
                countries=countries,
                tags=tags,
                description=description,
            )
            file = None
            if isinstance(content, str):
                resource.url = content
            else:
                file = SimpleUploadedFile(f"{slugify(title)}.pdf", _demo_pdf(title, content), "application/pdf")
            save_resource(resource=resource, by=officer, file=file)
