"""Create an API key for an institution from the command line (operators, CI); prints the key once."""

from django.core.management.base import BaseCommand, CommandError

from consortium.models import Institution, Role, User
from consortium.services import create_api_key


class Command(BaseCommand):
    help = "Create an API key for an institution, on behalf of one of its partner admins."

    def add_arguments(self, parser):
        parser.add_argument("institution", help="slug of the institution")
        parser.add_argument("--name", default="Command line")
        parser.add_argument("--scope", action="append", default=[], help="a scope; repeat for several")

    def handle(self, *args, institution, name, scope, **options):
        found = Institution.objects.filter(slug=institution).first()
        if found is None:
            raise CommandError(f"No institution with the slug {institution!r}.")
        admin = User.objects.with_role(Role.PARTNER_ADMIN).filter(institution=found, is_active=True).first()
        if admin is None:
            raise CommandError(f"{found} has no active partner admin to create the key on behalf of.")
        _key, raw = create_api_key(institution=found, name=name, scopes=scope, by=admin)
        self.stdout.write(raw)
