"""Factories of the summer-school app."""

import datetime
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from consortium.richtext import render_markdown
from consortium.services import seats as seat_service
from summerschools.models import Application, Criterion, Edition, EditionStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="cv.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class EditionFactory(factory.django.DjangoModelFactory):
    """A published edition two months from now, its call open since yesterday; `capacity` and
    `quotas` ({institution: seats}) make its seat plan."""

    class Meta:
        model = Edition
        skip_postgeneration_save = True

    class Params:
        capacity = 40
        quotas = None

    title = factory.Sequence(lambda n: f"Summer school {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")
    theme = "Circular economy ventures"
    year = factory.LazyFunction(lambda: timezone.localdate().year)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=60))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=9))
    on_site_days = 10
    place = "blended"
    city = "Madrid"
    # The tests' dates are UTC's (TIME_ZONE), so the school's days are too.
    time_zone = "UTC"
    language = "en"
    language_level = "B2"
    ects = Decimal("4.0")
    description = "Ten days of **venture building**."
    description_html = factory.LazyAttribute(lambda o: render_markdown(o.description))
    status = EditionStatus.PUBLISHED
    call_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    call_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    seat_plan = factory.LazyAttribute(
        lambda o: seat_service.create_seat_plan(
            kind="summerschools.edition",
            capacity=o.capacity,
            quotas={i.pk: n for i, n in (o.quotas or {}).items()},
            offer_hours=7 * 24,
        )
    )

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.set(extracted)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create:
            for name, weight in extracted if extracted is not None else [("Motivation", 2), ("Team fit", 1)]:
                Criterion.objects.create(edition=self, name=name, weight=weight)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    edition = factory.SubFactory(EditionFactory)
    student = None
    institution = factory.LazyAttribute(lambda o: o.student.institution)
    motivation = "I want to found a company."
    cv = factory.django.FileField(filename="cv.pdf", data=PDF)
    languages = [["en", "C1"]]
    field_of_study = "04"
