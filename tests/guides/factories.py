"""Factories of the guides app: country guides first, then the resource library."""

import factory

# Country guides


def section_texts(**overrides) -> dict[str, str]:
    """Markdown for every section, {key: text}; keyword arguments replace sections (underscores for dashes)."""
    from guides.models import SectionKey

    texts = {key: f"What to know about {label.lower()}." for key, label in SectionKey.choices}
    texts.update({name.replace("_", "-"): text for name, text in overrides.items()})
    return texts


def guide_people():
    """Paris: a liaison officer (Julien) and a colleague (Inès); Lyon: another member's liaison (Marc);
    Madrid: a liaison officer of another country (Elena) and a student (Lucía)."""
    from consortium.models import LiaisonNomination, Role
    from tests.factories import InstitutionFactory, UserFactory

    paris = InstitutionFactory(name="École de Paris", short_name="EP", slug="ep", country="FR", city="Paris")
    lyon = InstitutionFactory(name="Université de Lyon", short_name="UL", slug="ul", country="FR", city="Lyon")
    madrid = InstitutionFactory(name="Universidad de Madrid", short_name="UM", slug="um", country="ES")
    people = {
        "julien": UserFactory(roles=[Role.CAREER_OFFICER], institution=paris, full_name="Julien Bernard"),
        "ines": UserFactory(roles=[Role.CAREER_OFFICER], institution=paris, full_name="Inès Lefèvre"),
        "marc": UserFactory(roles=[Role.CAREER_OFFICER], institution=lyon, full_name="Marc Petit"),
        "elena": UserFactory(roles=[Role.CAREER_OFFICER], institution=madrid, full_name="Elena Navarro"),
        "lucia": UserFactory(roles=[Role.STUDENT], institution=madrid, full_name="Lucía García"),
        "paris": paris,
        "lyon": lyon,
        "madrid": madrid,
    }
    LiaisonNomination.objects.create(institution=paris, officer=people["julien"])
    LiaisonNomination.objects.create(institution=lyon, officer=people["marc"])
    LiaisonNomination.objects.create(institution=madrid, officer=people["elena"])
    return people


def publish_edition(country="FR", language="en", *, content=None, author=None, approved_by=None, when=None):
    """A published edition (revision 1) with every section written, as if approved through review."""
    from django.utils import timezone

    from consortium.richtext import render_markdown
    from guides.models import CountryGuide, GuideEdition, GuideRevision, GuideSection

    when = when or timezone.now()
    content = content or section_texts()
    guide, _created = CountryGuide.objects.get_or_create(country=country)
    edition = GuideEdition.objects.create(guide=guide, language=language)
    revision = GuideRevision.objects.create(
        edition=edition, number=1, content=content, author=author, approved_by=approved_by, published_at=when
    )
    for key, text in content.items():
        GuideSection.objects.create(
            edition=edition,
            key=key,
            body_markdown=text,
            body_html=render_markdown(text),
            last_reviewed_at=when,
            last_reviewed_by=approved_by,
        )
    edition.current_revision, edition.published_at = revision, when
    edition.save()
    return edition


# Resource library


def pdf_bytes(text: str = "A resource") -> bytes:
    """A small real PDF."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def pdf_upload(name: str = "guide.pdf", text: str = "A resource"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(text), "application/pdf")


class ResourceFactory(factory.django.DjangoModelFactory):
    """A link resource for students, saved through the service so that its search vector is current.
    Pass `file=pdf_upload()` (and url="") for a file resource."""

    class Meta:
        model = "guides.Resource"
        skip_postgeneration_save = True

    owner = factory.SubFactory("tests.factories.InstitutionFactory")
    title = factory.Sequence(lambda n: f"Application guide {n}")
    description = "How to write a **cover letter**."
    kind = "application_guide"
    language = "en"
    audience = "students"
    url = factory.Sequence(lambda n: f"https://careers.example/resources/{n}")
    countries = factory.LazyFunction(list)
    tags = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, *args, file=None, **kwargs):
        from consortium.models import Role
        from guides.services.resources import save_resource
        from tests.factories import UserFactory

        resource = model_class(*args, **kwargs)
        if file is not None:
            resource.url = ""
        sharer = UserFactory(roles=[Role.CAREER_OFFICER], institution=resource.owner)
        return save_resource(resource=resource, by=sharer, file=file)
