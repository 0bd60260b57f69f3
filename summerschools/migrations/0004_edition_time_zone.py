import datetime
import zoneinfo

import consortium.models.people
from django.db import migrations, models


def fill_last_day_starts_at(apps, schema_editor):
    """Editions saved before they had a time zone take the default one, and the start of their last day in it."""
    Edition = apps.get_model("summerschools", "Edition")
    for edition in Edition.objects.all():
        starts_at = datetime.datetime.combine(edition.ends_on, datetime.time(), zoneinfo.ZoneInfo(edition.time_zone))
        Edition.objects.filter(pk=edition.pk).update(last_day_starts_at=starts_at)


class Migration(migrations.Migration):
    dependencies = [
        ("summerschools", "0003_teams_shared_venture_html"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="time_zone",
            field=models.CharField(
                default="Europe/Brussels",
                help_text="Where the school is held: its days begin and end there, e.g. Europe/Madrid.",
                max_length=64,
                validators=[consortium.models.people.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.AddField(
            model_name="edition",
            name="last_day_starts_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunPython(fill_last_day_starts_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="edition",
            name="last_day_starts_at",
            field=models.DateTimeField(editable=False),
        ),
    ]
