import re

from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.models import Company, Institution

from .models import EDITABLE_FIELDS, LANGUAGE_CHOICES, FieldOfStudy, Job

LANGUAGE_CODES = dict(LANGUAGE_CHOICES)


class JobForm(forms.ModelForm):
    apply_url = forms.URLField(label=_("Application address"), required=False, assume_scheme="https")
    languages = forms.CharField(
        label=_("Required languages"),
        required=False,
        help_text=_("ISO 639-1 code and CEFR level, separated by commas: en B2, it B1"),
    )
    skills_text = forms.CharField(label=_("Skills"), required=False, help_text=_("Separated by commas"))
    fields_of_study = forms.MultipleChoiceField(
        label=_("Fields of study"), choices=FieldOfStudy.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Job
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "partner_institutions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["company"].queryset = Company.objects.order_by("name")
        self.fields["partner_institutions"].queryset = Institution.objects.active().exclude(pk=institution.pk)
        if self.instance.pk:
            self.initial["languages"] = ", ".join(
                f"{lang.language} {lang.level}" for lang in self.instance.languages.all()
            )
            self.initial["skills_text"] = ", ".join(self.instance.skills)

    def _get_validation_exclusions(self):
        # The service checks the salary range and names the field; the constraint backs it in the database.
        return super()._get_validation_exclusions() | {"salary_min", "salary_max"}

    def clean_languages(self) -> list[tuple[str, str]]:
        parsed = []
        for item in filter(None, (part.strip() for part in self.cleaned_data["languages"].split(","))):
            match = re.fullmatch(r"([a-zA-Z]{2})\s+([ABCabc][12])", item)
            if not match or match.group(1).lower() not in LANGUAGE_CODES:
                raise forms.ValidationError(
                    _("“%(item)s” is not a language code and a level such as en B2.") % {"item": item}
                )
            parsed.append((match.group(1).lower(), match.group(2).upper()))
        return parsed

    def clean(self):
        data = super().clean()
        self.instance.skills = [s.strip() for s in data.get("skills_text", "").split(",") if s.strip()]
        return data
