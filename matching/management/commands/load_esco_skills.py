"""Load the ESCO skill concepts shipped in matching/data into the Skill table. Idempotent."""

from django.core.management.base import BaseCommand

from matching.skills import load_esco_skills


class Command(BaseCommand):
    help = "Load the ESCO skills (id and English label) from matching/data/esco_skills.csv.gz; safe to repeat."

    def handle(self, *args, **options):
        created, updated = load_esco_skills()
        self.stdout.write(f"ESCO skills: {created} added, {updated} relabelled.")
