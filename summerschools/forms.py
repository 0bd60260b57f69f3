from django import forms
from django.core.validators import MinValueValidator, URLValidator
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consortium.forms import TIME_ZONE_SELECT, LanguageLevelsField, ModelMultipleChoiceField, SeatQuotasMixin
from consortium.models import FieldOfStudy, Institution, User

from .models import (
    EDITABLE_EDITION_FIELDS,
    MAX_SCORE,
    ORGANISER_ROLES,
    AlumniProfile,
    Challenge,
    Edition,
    FollowUp,
    Venture,
)


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation letter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    cv = forms.FileField(label=_("CV (PDF, at most 5 MB)"))
    languages = LanguageLevelsField(label=_("Languages"), help_text=_("Each language you speak with its CEFR level."))
    field_of_study = forms.ChoiceField(label=_("Field of study"), choices=FieldOfStudy.choices)
    preferred_challenges = ModelMultipleChoiceField(
        label=_("Challenges you would like to work on"),
        queryset=Challenge.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_challenges"].queryset = edition.challenges.select_related("company")


class ReviewForm(forms.Form):
    conflict_of_interest = forms.BooleanField(
        label=_("I have a conflict of interest (I know the applicant personally)"), required=False
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (×{criterion.weight})", min_value=0, max_value=MAX_SCORE, required=False
            )

    def scores(self) -> dict:
        return {
            c: self.cleaned_data[f"criterion_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"criterion_{c.pk}") is not None
        }


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["arrival", "dietary_needs", "emergency_contact"]
        widgets = {"arrival": forms.DateTimeInput(attrs={"type": "datetime-local"})}


# Alumni directory and ventures


class WebAddressField(forms.URLField):
    """A web page: http or https, never ftp, mailto or a script."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    default_error_messages = {"invalid": _("Give a web address starting with http:// or https://.")}


class AlumniProfileForm(forms.ModelForm):
    website = WebAddressField(label=_("Website or profile"), required=False, assume_scheme="https")

    class Meta:
        model = AlumniProfile
        fields = ["current_role", "organisation", "city", "country", "website"]
        help_texts = {
            "current_role": _("What you do now, e.g. “Co-founder of a food-waste start-up” or “Master's student”."),
        }


class AlumniFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.none(), required=False, to_field_name="slug"
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False, empty_value=None)
    country = forms.ChoiceField(label=_("Country"), required=False)
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), required=False, to_field_name="slug"
    )

    def __init__(self, *args, editions, **kwargs):
        super().__init__(*args, **kwargs)
        editions = list(editions)
        self.fields["edition"].queryset = Edition.objects.filter(pk__in=[e.pk for e in editions])
        self.fields["edition"].choices = [("", _("All editions"))] + [(e.slug, e.title) for e in editions]
        years = sorted({e.year for e in editions}, reverse=True)
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["institution"].queryset = Institution.objects.filter(is_active=True)
        self.fields["institution"].empty_label = _("All institutions")


class VentureForm(forms.ModelForm):
    website = WebAddressField(label=_("Website"), required=False, assume_scheme="https")
    # The database's floor, checked here so that the message names the field.
    founded_year = forms.IntegerField(label=_("Year founded"), min_value=1900)
    founders = ModelMultipleChoiceField(
        label=_("Founders"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Participants of this summer school who founded it."),
        error_messages={
            "required": _("Choose at least one founder."),
            "invalid_choice": _("Choose the founders among the participants of this summer school."),
        },
    )

    class Meta:
        model = Venture
        fields = ["name", "description", "website", "founded_year", "country", "founders"]
        help_texts = {"description": _("Markdown: **bold**, lists, links.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["founders"].queryset = participants


class VentureFilterForm(forms.Form):
    edition = forms.ModelChoiceField(
        label=_("Edition"), queryset=Edition.objects.none(), required=False, to_field_name="slug"
    )
    year = forms.TypedChoiceField(label=_("Year founded"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, editions, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = editions
        self.fields["edition"].empty_label = _("All editions")
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in years]


# Teams


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False, help_text=_("Leave empty for “Team 4”."))
    challenge = forms.ModelChoiceField(label=_("Challenge"), queryset=Challenge.objects.none(), required=False)

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = edition.challenges.select_related("company")
        self.fields["challenge"].empty_label = _("No challenge")


class MoveForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Challenge.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of this summer school's teams.")},
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].empty_label = _("No team")


# Organising

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
# Empty rows under the existing criteria, to add new ones.
NEW_CRITERIA_ROWS = 3


class EditionForm(SeatQuotasMixin, forms.ModelForm):
    """An edition with its seats (capacity, quotas), co-organisers, organisers and, until reviewing
    starts, its selection criteria as rows of name and weight (an emptied name removes one)."""

    capacity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, help_text=_("Seats in all."))

    class Meta:
        model = Edition
        fields = [*EDITABLE_EDITION_FIELDS, "co_organisers", "organisers"]
        field_classes = {"co_organisers": ModelMultipleChoiceField, "organisers": ModelMultipleChoiceField}
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "call_opens_at": DATETIME_LOCAL,
            "call_closes_at": DATETIME_LOCAL,
            "description": forms.Textarea(attrs={"rows": 8}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 5}),
            "fee": forms.Textarea(attrs={"rows": 2}),
            "funding": forms.Textarea(attrs={"rows": 3}),
            "co_organisers": forms.CheckboxSelectMultiple,
            "organisers": forms.CheckboxSelectMultiple,
            "time_zone": TIME_ZONE_SELECT,
        }
        help_texts = {
            "call_opens_at": _("In UTC."),
            "call_closes_at": _("In UTC."),
            "organisers": _("Staff of the host and the co-organising institutions; save after adding an institution "
                            "to choose among its staff."),
        }  # fmt: skip

    def __init__(self, *args, hosts=None, criteria_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        edition = self.instance
        if hosts is not None:
            # Consortium admins choose the host of a new edition.
            self.fields["host"] = forms.ModelChoiceField(label=_("Host institution"), queryset=hosts)
            self.order_fields(["host"])
        institutions = Institution.objects.active().order_by("name")
        self.fields["co_organisers"].queryset = (
            institutions.exclude(pk=edition.host_id) if edition.host_id else institutions
        )
        organising = [edition.host_id, *(edition.co_organisers.values_list("pk", flat=True) if edition.pk else [])]
        self.fields["organisers"].queryset = (
            User.objects.filter(institution__in=[i for i in organising if i], is_active=True)
            .filter(role_assignments__role__in=ORGANISER_ROLES)
            .select_related("institution")
            .distinct()
            .order_by("institution__name", "full_name")
        )
        self.fields["organisers"].label_from_instance = lambda u: f"{u.full_name or u.email} ({u.institution})"
        if not edition.pk:
            del self.fields["organisers"]  # the creator organises a new edition; colleagues join once it is saved
        # The model's check constraint, as a message next to the field.
        self.fields["team_size"].validators.append(MinValueValidator(2))
        self.fields["team_size"].widget.attrs["min"] = 2
        if edition.pk:
            self.initial["capacity"] = edition.seat_plan.capacity
        self.add_quota_fields(edition.seat_plan if edition.pk else None)
        self.criteria_locked = criteria_locked
        self.criteria_rows = 0
        if not criteria_locked:
            existing = list(edition.criteria.all()) if edition.pk else []
            self.criteria_rows = len(existing) + NEW_CRITERIA_ROWS
            for row in range(self.criteria_rows):
                criterion = existing[row] if row < len(existing) else None
                self.fields[f"criterion_name_{row}"] = forms.CharField(
                    label=_("Criterion"), max_length=150, required=False, initial=criterion and criterion.name
                )
                self.fields[f"criterion_weight_{row}"] = forms.IntegerField(
                    label=_("Weight"), min_value=1, max_value=10, required=False, initial=criterion and criterion.weight
                )

    def main_fields(self):
        return [f for f in super().main_fields() if not f.name.startswith("criterion_")]

    def criterion_rows(self):
        return [(self[f"criterion_name_{r}"], self[f"criterion_weight_{r}"]) for r in range(self.criteria_rows)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("host"):
            self.instance.host = cleaned["host"]
        for row in range(self.criteria_rows):
            if cleaned.get(f"criterion_name_{row}") and cleaned.get(f"criterion_weight_{row}") is None:
                self.add_error(f"criterion_weight_{row}", _("Give the criterion a weight."))
        return cleaned

    def criteria(self) -> list[tuple[str, int]] | None:
        """The criteria as the form gives them; None when reviewing has started and they stay."""
        if self.criteria_locked:
            return None
        rows = [
            (self.cleaned_data[f"criterion_name_{r}"], self.cleaned_data[f"criterion_weight_{r}"])
            for r in range(self.criteria_rows)
        ]
        return [(name, weight) for name, weight in rows if name]

    def _get_validation_exclusions(self):
        # The service checks the dates and names the field; constraints back it in the database.
        return super()._get_validation_exclusions() | {"ends_on", "call_closes_at"}


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["company", "title", "description", "mentor"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "company": _("Companies your institution works with in the company network."),
            "mentor": _("A contact of the company or a member of staff of an organising institution."),
        }

    def __init__(self, *args, edition, companies, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.edition = edition
        self.fields["company"].queryset = companies
        self.fields["mentor"].queryset = mentors
        self.fields["mentor"].label_from_instance = lambda u: f"{u.full_name or u.email} ({u.company or u.institution})"
