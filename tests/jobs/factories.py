import datetime

import factory
from django.utils import timezone

from jobs.models import Audience, Job, JobKind, JobStatus
from jobs.services import refresh_search_vector
from tests.factories import CompanyFactory, InstitutionFactory


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Marketing intern {n}")
    description = "Help our **marketing** team."
    description_html = "<p>Help our <strong>marketing</strong> team.</p>"
    kind = JobKind.INTERNSHIP
    country = "IT"
    city = "Milano"
    status = JobStatus.PUBLISHED
    audience = Audience.CONSORTIUM
    published_at = factory.LazyFunction(timezone.now)
    deadline = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))

    @factory.post_generation
    def search_vector(self, create, extracted, **kwargs):
        if create:
            refresh_search_vector(self)
