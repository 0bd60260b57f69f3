from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consortium.forms import TIME_ZONE_SELECT, ModelMultipleChoiceField, SeatQuotasMixin
from consortium.models import ISO_LANGUAGES, Institution, User

from .models import EDITABLE_WEEK_FIELDS, ORGANIZER_ROLES, Module, Session, TrainingWeek

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WeekForm(SeatQuotasMixin, forms.ModelForm):
    """A week and its seats: the capacity and a quota per partner institution (blank: no quota)."""

    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500, help_text=_("Seats in all."))

    class Meta:
        model = TrainingWeek
        fields = [*EDITABLE_WEEK_FIELDS, "materials"]
        field_classes = {"materials": ModelMultipleChoiceField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "registration_opens_at": DATETIME_LOCAL,
            "registration_closes_at": DATETIME_LOCAL,
            "description": forms.Textarea(attrs={"rows": 8}),
            "materials": forms.CheckboxSelectMultiple,
            "time_zone": TIME_ZONE_SELECT,
        }
        help_texts = {"registration_opens_at": _("In UTC."), "registration_closes_at": _("In UTC.")}

    def __init__(self, *args, host: Institution, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.host = host
        self.order_fields([*self.Meta.fields[: self.Meta.fields.index("waitlist")], "capacity"])
        resources = TrainingWeek.materials.field.related_model.objects.visible_to(user)
        self.fields["materials"].queryset = resources.order_by("title")
        self.fields["contact"].queryset = User.objects.holding(host, *ORGANIZER_ROLES).order_by("full_name")
        if self.instance.pk:
            self.initial["capacity"] = self.instance.seat_plan.capacity
        self.add_quota_fields(self.instance.seat_plan if self.instance.pk else None)

    def _get_validation_exclusions(self):
        # The service checks the dates and names the field; constraints back it in the database.
        return super()._get_validation_exclusions() | {"ends_on", "registration_closes_at"}


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["day", "starts_at", "ends_at", "title", "room", "speaker", "module"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}),
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"ends_at"}


class RegistrationForm(forms.Form):
    motivation = forms.CharField(
        label=_("What you hope to learn"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: for your partner admin and the hosts."),
    )


class TrainingPolicyForm(forms.Form):
    approval_required = forms.BooleanField(
        label=_("Registrations of our staff need a partner admin's approval"), required=False
    )


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["code", "title", "learning_outcomes", "materials", "position"]
        widgets = {
            "learning_outcomes": forms.Textarea(attrs={"rows": 5}),
            "materials": forms.Textarea(attrs={"rows": 5}),
        }


MONTHS = [(str(n), label) for n, label in enumerate(
    [_("January"), _("February"), _("March"), _("April"), _("May"), _("June"), _("July"), _("August"),
     _("September"), _("October"), _("November"), _("December")], start=1)]  # fmt: skip


class CatalogueFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"),
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        required=False,
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    month = forms.ChoiceField(label=_("Month"), choices=[("", _("Any month")), *MONTHS], required=False)

    def __init__(self, *args, country_codes=(), language_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(countries)
        self.fields["country"].choices = [("", _("Any country"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes), key=lambda c: str(c[1])
        )
        languages = dict(ISO_LANGUAGES)
        self.fields["language"].choices = [("", _("Any language"))] + sorted(
            ((code, languages.get(code, code)) for code in language_codes), key=lambda c: str(c[1])
        )
