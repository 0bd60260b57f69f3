from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import LanguageLevelsField
from consortium.models import FieldOfStudy

from .models import MAX_SCORE, Challenge, FollowUp


class ApplicationForm(forms.Form):
    motivation = forms.CharField(
        label=_("Motivation letter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 8})
    )
    cv = forms.FileField(label=_("CV (PDF, at most 5 MB)"))
    languages = LanguageLevelsField(label=_("Languages"), help_text=_("Each language you speak with its CEFR level."))
    field_of_study = forms.ChoiceField(label=_("Field of study"), choices=FieldOfStudy.choices)
    preferred_challenges = forms.ModelMultipleChoiceField(
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
