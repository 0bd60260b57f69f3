import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from consortium.models import (
    MFA_REQUIRED_ROLES,
    Company,
    CompanyRelationship,
    CompanySize,
    Institution,
    InstitutionDomain,
    LiaisonNomination,
    Role,
    RoleAssignment,
    Sector,
    User,
)

PASSWORD = "a-long-test-password-1"


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"University {n}")
    short_name = factory.Sequence(lambda n: f"U{n}")
    slug = factory.Sequence(lambda n: f"university-{n}")
    country = "ES"
    city = "Madrid"
    website = "https://university.example"

    @factory.post_generation
    def domains(self, create, extracted, **kwargs):
        if create:
            for domain in extracted if extracted is not None else [f"{self.slug}.example"]:
                InstitutionDomain.objects.create(institution=self, domain=domain)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@people.example")
    full_name = factory.Faker("name")
    institution = factory.SubFactory(InstitutionFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Roles to grant; admins also get an authenticator app, as they must have one."""
        if not create:
            return
        for role in extracted or []:
            RoleAssignment.objects.create(user=self, role=role)
        EmailAddress.objects.create(user=self, email=self.email.lower(), verified=True, primary=True)
        if set(extracted or []) & MFA_REQUIRED_ROLES and kwargs.get("totp", True):
            self.totp_secret = generate_totp_secret()
            TOTP.activate(self, self.totp_secret)
        self.save()


def student(**kwargs):
    return UserFactory(roles=[Role.STUDENT], **kwargs)


def officer(**kwargs):
    return UserFactory(roles=[Role.CAREER_OFFICER], **kwargs)


def partner_admin(**kwargs):
    return UserFactory(roles=[Role.PARTNER_ADMIN], **kwargs)


def consortium_admin(**kwargs):
    return UserFactory(roles=[Role.CONSORTIUM_ADMIN], **kwargs)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    country = "IT"
    city = "Milano"
    sector = Sector.ICT
    size = CompanySize.SMALL


class CompanyRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompanyRelationship

    institution = factory.SubFactory(InstitutionFactory)
    company = factory.SubFactory(CompanyFactory)


class LiaisonNominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonNomination

    institution = factory.SubFactory(InstitutionFactory)
    officer = factory.LazyAttribute(lambda o: officer(institution=o.institution))
