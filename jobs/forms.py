from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import LanguageLevelsField, ModelMultipleChoiceField
from consortium.models import Company, FieldOfStudy, Institution

from .models import EDITABLE_FIELDS, Job, ReportReason, SavedSearch


class JobForm(forms.ModelForm):
    apply_url = forms.URLField(label=_("Application address"), required=False, assume_scheme="https")
    languages = LanguageLevelsField(
        label=_("Required languages"), required=False, help_text=_("With the CEFR level a candidate needs.")
    )
    skills_text = forms.CharField(label=_("Skills"), required=False, help_text=_("Separated by commas"))
    fields_of_study = forms.MultipleChoiceField(
        label=_("Fields of study"), choices=FieldOfStudy.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Job
        fields = EDITABLE_FIELDS
        field_classes = {"partner_institutions": ModelMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 8}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
            "partner_institutions": forms.CheckboxSelectMultiple,
        }

    # The form's parts, in the order a poster thinks of them; fields not listed join the last part.
    SECTIONS = [
        (_("The offer"), ["institution", "title", "company", "kind", "description", "skills_text", "fields_of_study"]),
        (_("Candidates"), ["languages", "erasmus_eligible", "visa_sponsorship"]),
        (_("Place and time"), ["country", "city", "work_mode", "duration_months", "start_kind", "start_date"]),
        (_("Pay"), ["paid", "salary_min", "salary_max", "salary_currency", "salary_period"]),
        (_("Applying"), ["apply_method", "apply_url", "apply_email", "deadline"]),
        (_("Who sees it"), ["audience", "partner_institutions", "require_login", "external_id"]),
    ]

    def sections(self) -> list[tuple[str, list]]:
        placed = {name for _legend, names in self.SECTIONS for name in names}
        rest = [field for field in self.visible_fields() if field.name not in placed]
        parts = [(legend, [self[name] for name in names if name in self.fields]) for legend, names in self.SECTIONS]
        parts[-1][1].extend(rest)
        return parts

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["company"].queryset = Company.objects.order_by("name")
        self.fields["partner_institutions"].queryset = Institution.objects.active().exclude(pk=institution.pk)
        if self.instance.pk:
            self.initial["languages"] = [(lang.language, lang.level) for lang in self.instance.languages.all()]
            self.initial["skills_text"] = ", ".join(self.instance.skills)

    def _get_validation_exclusions(self):
        # The service checks the salary range and names the field; the constraint backs it in the database.
        return super()._get_validation_exclusions() | {"salary_min", "salary_max"}

    def clean(self):
        data = super().clean()
        self.instance.skills = [s.strip() for s in data.get("skills_text", "").split(",") if s.strip()]
        return data


class ApplicationForm(forms.Form):
    # The CV's content is checked by the service, which names the field.
    message = forms.CharField(
        label=_("Message to the employer"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Why you, in a few lines (at most 3000 characters)."),
    )
    cv = forms.FileField(
        label=_("CV"),
        help_text=_("A PDF of at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class JobImportForm(forms.Form):
    # The content is checked by the import service, which names this field.
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, separated by commas or semicolons, at most 1,000 jobs and 2 MB."),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )


class JobReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this offer?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        help_text=_("Optional: what made you suspicious. The institution that posted it reads this."),
    )


class ResolveReportForm(forms.Form):
    resolution = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    close = forms.BooleanField(label=_("Close the offer"), required=False)


class SavedSearchForm(forms.ModelForm):
    email = forms.BooleanField(
        label=_("Also send it to me by e-mail"),
        required=False,
        help_text=_("Alerts always reach your notifications here. Every alert e-mail has a link to stop them."),
    )

    class Meta:
        model = SavedSearch
        fields = ["name", "query", "frequency", "is_active"]
        labels = {"frequency": _("How often"), "is_active": _("Tell me about new offers")}
        widgets = {"query": forms.HiddenInput}

    def __init__(self, *args, offer_email: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not offer_email:  # they get alert e-mails already
            del self.fields["email"]


class SavedSearchAlertForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["frequency", "is_active"]


class CompanyContactJobForm(JobForm):
    """A company contact's job: the company is theirs, and they choose the institution that approves it."""

    institution = forms.ModelChoiceField(
        label=_("Submit to"),
        queryset=Institution.objects.none(),
        help_text=_("An officer of this institution approves the job before students see it."),
    )

    def __init__(self, *args, institutions, **kwargs):
        job = kwargs["instance"]
        chosen = job.institution if job.institution_id else None
        super().__init__(*args, institution=chosen or Institution(), **kwargs)
        self.instance.institution = chosen
        self.fields["institution"].queryset = institutions
        self.fields["institution"].initial = chosen
        # Fixed: the contact speaks for one company; an approved or waiting job stays where it was sent.
        self.fields["company"].disabled = True
        # Once saved, a job stays with the institution it was written for.
        self.fields["institution"].disabled = job.pk is not None
        self.fields["partner_institutions"].queryset = Institution.objects.active()
        self.order_fields(["institution", *self.fields])

    def clean(self):
        data = super().clean()
        if data.get("institution"):
            self.instance.institution = data["institution"]
        return data


class RejectJobForm(forms.Form):
    reason = forms.CharField(
        label=_("What the poster should change"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
