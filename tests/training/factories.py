"""Factories of the training app."""

import datetime

import factory
from django.utils import timezone

from consortium.services import seats as seat_service
from training.models import Module, Session, TrainingWeek, WeekStatus


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    code = factory.Sequence(lambda n: f"CA-{n:02d}")
    title = factory.Sequence(lambda n: f"Module {n}")
    learning_outcomes = "Explain the labour market of the host country.\nAdvise a student who wants to work there."
    position = factory.Sequence(lambda n: n)


class TrainingWeekFactory(factory.django.DjangoModelFactory):
    """A published week a month from now, registration open since yesterday; `capacity` and
    `quotas` ({institution: seats}) make its seat plan."""

    class Meta:
        model = TrainingWeek
        skip_postgeneration_save = True

    class Params:
        capacity = 30
        quotas = None

    title = factory.Sequence(lambda n: f"Training week {n}")
    slug = factory.Sequence(lambda n: f"week-{n}")
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=4))
    city = "Madrid"
    venue = "Campus de Cantoblanco"
    time_zone = "Europe/Madrid"
    language = "en"
    description = "Five days on the **Spanish** labour market."
    description_html = "<p>Five days on the <strong>Spanish</strong> labour market.</p>"
    status = WeekStatus.PUBLISHED
    registration_opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    registration_closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=20))
    seat_plan = factory.LazyAttribute(
        lambda o: seat_service.create_seat_plan(
            kind="training.week", capacity=o.capacity, quotas={i.pk: n for i, n in (o.quotas or {}).items()}
        )
    )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    week = factory.SubFactory(TrainingWeekFactory)
    day = factory.LazyAttribute(lambda o: o.week.starts_on)
    starts_at = datetime.time(9, 30)
    ends_at = datetime.time(11, 0)
    title = factory.Sequence(lambda n: f"Session {n}")
    room = "Aula 3"
    speaker = "Ana Ruiz"
