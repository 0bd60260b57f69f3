"""Seed the demo consortium: five institutions, one person of each role at each and three students from
abroad, a dozen companies, the support desk's requests of the past months, and each app's demo.

Idempotent: running it again updates the same rows and creates nothing twice.
"""

from datetime import date

from allauth.account.models import EmailAddress
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.sites.models import Site
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from consortium.demo import opt_in_to_digest, seed_demo_support_desk
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
from consortium.registry import DEMO_SEEDERS

DEMO_PASSWORD = "consortium-demo-2026"

INSTITUTIONS = [
    {
        "slug": "uam",
        "name": "Universidad Autónoma de Madrid",
        "short_name": "UAM",
        "country": "ES",
        "city": "Madrid",
        "website": "https://www.uam.es",
        "domains": ["uam.es", "estudiante.uam.es"],
        "language": "es",
        "time_zone": "Europe/Madrid",
        "people": {
            "student": "Lucía García",
            "officer": "Javier Martín",
            "officer2": "Elena Navarro",
            "admin": "Carmen López",
            "academic": "Alberto Ruiz",
            "consortium-admin": "Marta Sánchez",
            "contact": "Diego Fernández",
        },
    },
    {
        "slug": "unicatt",
        "name": "Università Cattolica del Sacro Cuore",
        "short_name": "UCSC",
        "country": "IT",
        "city": "Milano",
        "website": "https://www.unicatt.it",
        "domains": ["unicatt.it", "icatt.it"],
        "language": "it",
        "time_zone": "Europe/Rome",
        "people": {
            "student": "Giulia Rossi",
            "officer": "Marco Bianchi",
            "officer2": "Sara Conti",
            "admin": "Francesca Romano",
            "academic": "Luca Colombo",
            "consortium-admin": "Chiara Ricci",
            "contact": "Alessandro Greco",
        },
    },
    {
        "slug": "regents",
        "name": "Regent's University London",
        "short_name": "Regent's",
        "country": "GB",
        "city": "London",
        "website": "https://www.regents.ac.uk",
        "domains": ["regents.ac.uk"],
        "language": "en",
        "time_zone": "Europe/London",
        "people": {
            "student": "Emily Clarke",
            "officer": "James Wilson",
            "officer2": "Priya Shah",
            "admin": "Sarah Thompson",
            "academic": "Oliver Evans",
            "consortium-admin": "Hannah Wright",
            "contact": "Thomas Hughes",
        },
    },
    {
        "slug": "psb",
        "name": "Paris School of Business",
        "short_name": "PSB",
        "country": "FR",
        "city": "Paris",
        "website": "https://www.psbedu.paris",
        "domains": ["psbedu.paris"],
        "language": "fr",
        "time_zone": "Europe/Paris",
        "people": {
            "student": "Camille Martin",
            "officer": "Julien Bernard",
            "officer2": "Inès Lefèvre",
            "admin": "Claire Dubois",
            "academic": "Nicolas Moreau",
            "consortium-admin": "Sophie Laurent",
            "contact": "Antoine Girard",
        },
    },
    {
        "slug": "ebc",
        "name": "EBC Hochschule",
        "short_name": "EBC",
        "country": "DE",
        "city": "Berlin",
        "website": "https://www.ebc-hochschule.de",
        "domains": ["ebc-hochschule.de"],
        "language": "de",
        "time_zone": "Europe/Berlin",
        "people": {
            "student": "Lena Schmidt",
            "officer": "Felix Müller",
            "officer2": "Miriam Koch",
            "admin": "Anna Schneider",
            "academic": "Jonas Fischer",
            "consortium-admin": "Laura Weber",
            "contact": "Maximilian Wagner",
        },
    },
]

# Fictional companies, so that the demo implies no real partnership.
COMPANIES = [
    ("Solaria Renovables", "ES", "Madrid", Sector.ENERGY, CompanySize.LARGE, ["uam", "ebc"]),
    ("Tapas & Code", "ES", "Madrid", Sector.ICT, CompanySize.SMALL, ["uam"]),
    ("Moda Lombarda", "IT", "Milano", Sector.TRADE, CompanySize.LARGE, ["unicatt", "psb"]),
    ("Banca dei Navigli", "IT", "Milano", Sector.FINANCE, CompanySize.MEDIUM, ["unicatt"]),
    ("Thames Analytics", "GB", "London", Sector.ICT, CompanySize.MEDIUM, ["regents", "uam"]),
    ("Kensington Consulting Partners", "GB", "London", Sector.PROFESSIONAL, CompanySize.LARGE, ["regents"]),
    ("Atelier Lumière", "FR", "Paris", Sector.ARTS, CompanySize.SMALL, ["psb"]),
    ("Paris Fintech Lab", "FR", "Paris", Sector.FINANCE, CompanySize.SMALL, ["psb", "regents"]),
    ("Spree Mobility", "DE", "Berlin", Sector.TRANSPORT, CompanySize.MEDIUM, ["ebc"]),
    ("Hanse Logistik", "DE", "Hamburg", Sector.TRANSPORT, CompanySize.LARGE, ["ebc", "unicatt"]),
    ("Nordlicht Foods", "SE", "Malmö", Sector.AGRICULTURE, CompanySize.MEDIUM, ["ebc"]),
    ("Amstel Health Labs", "NL", "Amsterdam", Sector.HEALTH, CompanySize.LARGE, ["regents", "psb"]),
]

# Students from abroad, for the mobility figures' "staying on": (institution, local part, name, home country).
INTERNATIONAL_STUDENTS = [
    ("regents", "mateo.alvarez", "Mateo Álvarez", "ES"),
    ("psb", "tobias.becker", "Tobias Becker", "DE"),
    ("ebc", "eleni.papadaki", "Eleni Papadaki", "GR"),
]

# Flagged in the demo by EBC's officer; it has no demo jobs, so the seeded offers stay published.
FLAGGED_COMPANY = "Nordlicht Foods"

ROLES_BY_KEY = {
    "student": [Role.STUDENT],
    "officer": [Role.CAREER_OFFICER],
    "officer2": [Role.CAREER_OFFICER],
    "admin": [Role.PARTNER_ADMIN],
    "academic": [Role.ACADEMIC],
    "consortium-admin": [Role.CONSORTIUM_ADMIN],
    "contact": [Role.COMPANY_CONTACT],
}


class Command(BaseCommand):
    help = "Seed the demo consortium (idempotent) and print one login for every role."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with DJANGO_DEBUG on."
            )
        with transaction.atomic():
            logins = self.seed()
        if not quiet:
            self.print_logins(logins)

    def seed(self) -> list[tuple[str, str, str, str]]:
        Site.objects.update_or_create(
            pk=settings.SITE_ID, defaults={"domain": "127.0.0.1:8000", "name": "Career Consortium"}
        )
        companies = {}
        for name, country, city, sector, size, _ in COMPANIES:
            companies[name], _created = Company.objects.update_or_create(
                slug=slugify(name),
                defaults={"name": name, "country": country, "city": city, "sector": sector, "size": size},
            )
        logins = []
        for spec in INSTITUTIONS:
            institution, _created = Institution.objects.update_or_create(
                slug=spec["slug"],
                defaults={k: spec[k] for k in ("name", "short_name", "country", "city", "website")}
                | {"is_active": True},
            )
            for domain in spec["domains"]:
                InstitutionDomain.objects.update_or_create(domain=domain, defaults={"institution": institution})
            domain = spec["domains"][0]
            people = {}
            for key, full_name in spec["people"].items():
                if key == "contact":
                    company = next(companies[n] for n, *_, partners in COMPANIES if partners[0] == spec["slug"])
                    email = f"contact@{company.slug}.example"
                    people[key] = self.person(email, full_name, None, ROLES_BY_KEY[key], spec, company=company)
                else:
                    email = f"{key}@{domain}"
                    people[key] = self.person(email, full_name, institution, ROLES_BY_KEY[key], spec)
                logins.append(
                    (institution.short_name, ROLES_BY_KEY[key][0].label, people[key].email, self.totp_note(people[key]))
                )
            opt_in_to_digest(people["student"])
            if not institution.liaison_nominations.exists():
                LiaisonNomination.objects.create(
                    institution=institution, officer=people["officer"], nominated_by=people["admin"]
                )
            for name, *_, partners in COMPANIES:
                if spec["slug"] in partners:
                    CompanyRelationship.objects.get_or_create(
                        institution=institution,
                        company=companies[name],
                        defaults={
                            "owner": people["officer"],
                            "since": date(2024, 9, 1),
                            "notes": "Hosts interns every year.",
                        },
                    )
        for slug, local_part, full_name, home_country in INTERNATIONAL_STUDENTS:
            spec = next(spec for spec in INSTITUTIONS if spec["slug"] == slug)
            # They read the site in English, not yet in their host country's language.
            self.person(
                f"{local_part}@{spec['domains'][0]}",
                full_name,
                Institution.objects.get(slug=slug),
                [Role.STUDENT],
                spec | {"language": "en"},
                home_country=home_country,
            )
        self.flag_demo_company()
        seed_demo_support_desk()
        for seeder in DEMO_SEEDERS:
            seeder()
        # People an app's demo added (an entrepreneur for matching, say) sign in too.
        listed = {email for _institution, _role, email, _secret in logins}
        for user in User.objects.exclude(email__in=listed).select_related("institution").order_by("email"):
            where = user.institution.short_name if user.institution else ""
            logins.append((where, (user.role_labels() or [""])[0], user.email, self.totp_note(user)))
        return logins

    def flag_demo_company(self) -> None:
        """One company flagged by a partner, so that the verification history and approvals have something to show."""
        from consortium.services import flag_company

        officer = User.objects.get(email=f"officer@{INSTITUTIONS[4]['domains'][0]}")
        flag_company(
            company=Company.objects.get(slug=slugify(FLAGGED_COMPANY)),
            reason="Asked two students for a training fee before the internship starts.",
            by=officer,
        )

    def person(self, email, full_name, institution, roles, spec, company=None, home_country="") -> User:
        user, created = User.objects.update_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "institution": institution,
                "company": company,
                "preferred_language": spec["language"],
                "time_zone": spec["time_zone"],
                "home_country": home_country,
                "is_active": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for role in roles:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if (
            set(roles) & MFA_REQUIRED_ROLES
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, generate_totp_secret())
        return user

    def totp_note(self, user) -> str:
        authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        return get_mfa_adapter().decrypt(authenticator.data["secret"]) if authenticator else ""

    def print_logins(self, logins):
        out = self.stdout
        out.write("")
        out.write(self.style.SUCCESS("Demo consortium ready at http://127.0.0.1:8000"))
        out.write(f"Every account's password: {DEMO_PASSWORD}")
        out.write("")
        out.write(f"{'Institution':<10} {'Role':<22} {'E-mail':<42} TOTP secret (admins)")
        for institution, role, email, secret in logins:
            out.write(f"{institution:<10} {role:<22} {email:<42} {secret}")
        out.write("")
        out.write(
            f"{FLAGGED_COMPANY} is flagged as suspicious: its new jobs wait for a partner admin's approval.\n"
            "Company contacts post their company's jobs for an officer of a partner institution to approve."
        )
        out.write(
            "Partner and consortium admins sign in with a code from an authenticator app: add their TOTP secret\n"
            "to one, or run `make totp` (python manage.py demo_totp) for the current codes."
        )
