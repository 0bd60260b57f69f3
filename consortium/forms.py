import datetime
import functools
import html
import zoneinfo
from typing import ClassVar

import django_filters
from allauth.account.forms import SignupForm
from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .models import (
    INSTITUTION_STAFF_ROLES,
    ISO_LANGUAGES,
    CefrLevel,
    Company,
    CompanyRelationship,
    Institution,
    KnowledgeArticle,
    Role,
    SupportCategory,
    SupportRequest,
    User,
    WebhookEndpoint,
)
from .services import ensure_new_company, institution_for_email, liaison_refusal, unknown_domain_message

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in INSTITUTION_STAFF_ROLES]


class StudentSignupForm(SignupForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_email(self):
        email = super().clean_email()
        if institution_for_email(email) is None:
            raise forms.ValidationError(unknown_domain_message())
        return email


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif data.get("password1"):
            try:
                validate_password(data["password1"], User(email=self.email, full_name=data.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class InviteStaffForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=STAFF_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[Role.CAREER_OFFICER],
    )


class StaffRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(label=_("Roles"), choices=STAFF_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class NominateLiaisonForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("New liaison officer"), queryset=User.objects.none())

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        field.queryset = User.objects.holding(institution, Role.CAREER_OFFICER)
        field.help_text = _("Only active career officers of your institution can be nominated.")
        field.error_messages["invalid_choice"] = liaison_refusal(institution)


class InstitutionForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    domains = forms.CharField(
        label=_("Student e-mail domains"),
        help_text=_("Separated by commas, e.g. uam.es, estudiante.uam.es. Subdomains match too."),
        required=False,
    )

    class Meta:
        model = Institution
        fields = ["name", "short_name", "slug", "country", "city", "website", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["domains"] = ", ".join(self.instance.domains.values_list("domain", flat=True))

    def domain_list(self) -> list[str]:
        return [d for d in self.cleaned_data["domains"].replace(";", ",").replace(" ", ",").split(",") if d]


class CompanyForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Company
        fields = ["name", "country", "city", "website", "sector", "size"]

    def clean(self):
        data = super().clean()
        if data.get("name") and data.get("country"):
            try:
                ensure_new_company(name=data["name"], country=data["country"])
            except forms.ValidationError as error:
                self.add_error(None, error)
        return data


class CompanyRelationshipForm(forms.ModelForm):
    class Meta:
        model = CompanyRelationship
        fields = ["company", "owner", "since", "notes"]
        widgets = {"since": forms.DateInput(attrs={"type": "date"}), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, institution: Institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["owner"].queryset = User.objects.staff_of(institution).filter(
            role_assignments__role=Role.CAREER_OFFICER, is_active=True
        )
        if self.instance.pk:
            self.fields["company"].disabled = True

    def validate_unique(self):
        # The service checks uniqueness with a message that names the institution.
        pass


class LanguageLevelsWidget(forms.Widget):
    """Rows of a language and its CEFR level; one more empty row than the value holds."""

    template_name = "includes/language_levels_widget.html"

    def __init__(self, attrs=None, rows=3):
        super().__init__(attrs)
        self.rows = rows

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        pairs = [tuple(pair) for pair in value or [] if isinstance(pair, list | tuple) and len(pair) == 2]
        pairs += [("", "")] * max(self.rows - len(pairs), 1)
        names = sorted(((code, gettext(label)) for code, label in ISO_LANGUAGES), key=lambda item: item[1])
        context["widget"].update(rows=pairs, languages=names, levels=CefrLevel.values)
        return context

    def value_from_datadict(self, data, files, name):
        pairs = []
        for index in range(20):
            if f"{name}_{index}_language" not in data:
                break
            pairs.append((data.get(f"{name}_{index}_language", ""), data.get(f"{name}_{index}_level", "")))
        return pairs

    def value_omitted_from_data(self, data, files, name):
        return f"{name}_0_language" not in data

    def id_for_label(self, id_):
        return f"{id_}_0_language" if id_ else id_


class LanguageLevelsField(forms.Field):
    """Languages (ISO 639-1) each with a CEFR level, as a list of (code, level) pairs."""

    widget = LanguageLevelsWidget
    codes = dict(ISO_LANGUAGES)

    def to_python(self, value):
        pairs = []
        for code, level in value or []:
            code, level = (code or "").strip().lower(), (level or "").strip().upper()
            if not code and not level:
                continue
            if code not in self.codes:
                raise ValidationError(_("Choose a language from the list."))
            if level not in CefrLevel.values:
                raise ValidationError(_("Choose the level for %(language)s.") % {"language": gettext(self.codes[code])})
            pairs.append((code, level))
        if len({code for code, _level in pairs}) != len(pairs):
            raise ValidationError(_("Each language can be listed once."))
        return pairs


class FlagCompanyForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it looks suspicious"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Every partner of the consortium reads this."),
    )


class DeclineCompanyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for your colleagues)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteCompanyContactForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150, required=False)


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA time zone, sorted, written as people read it ("America/New York")."""
    return [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones())]


# A model's time zone field as a list to choose from; the model's validator still names a zone unknown.
# The callable defers reading the zones (60 ms) from start-up to the first form that shows them.
TIME_ZONE_SELECT = forms.Select(choices=time_zone_choices)


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    languages = LanguageLevelsField(
        label=_("Languages you speak"),
        required=False,
        help_text=_("With your level (CEFR A1–C2). The job search can show only offers whose languages you meet."),
    )

    class Meta:
        model = User
        fields = ["full_name", "preferred_language", "home_country", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only students' mobility is counted: nobody else is asked where they come from.
        if Role.STUDENT not in self.instance.roles:
            del self.fields["home_country"]
        if self.instance.pk:
            self.initial["languages"] = [(lang.language, lang.level) for lang in self.instance.languages.all()]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("The system that will use the key."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Every key can read institutions, liaison officers and companies."),
    )

    def __init__(self, *args, **kwargs):
        from .registry import API_SCOPES

        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(s.name, f"{s.name} — {s.label}") for s in API_SCOPES.values()]


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, with ids beyond the database's 64-bit integers reported as invalid choices:
    SQLite raises OverflowError (a 500) when such an id reaches an `__in` lookup."""

    def _check_values(self, value):
        if self.to_field_name is None:
            for pk in value:
                try:
                    number = int(pk)
                except (TypeError, ValueError):
                    continue  # Django reports it as an invalid value
                if not -(2**63) <= number < 2**63:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                    )
        return super()._check_values(value)


class SeatQuotasMixin:
    """Quota fields, one per active institution (blank: no quota), for the form of an event with a
    SeatPlan; the seats service checks that they fit the capacity."""

    def add_quota_fields(self, plan) -> None:
        from .models import SeatQuota

        self.institutions = list(Institution.objects.active().order_by("name"))
        quotas = dict(SeatQuota.objects.filter(plan=plan).values_list("institution_id", "seats")) if plan else {}
        for institution in self.institutions:
            self.fields[self.quota_field(institution)] = forms.IntegerField(
                label=_("Quota for %(name)s") % {"name": institution.name},
                min_value=0,
                max_value=500,
                required=False,
                initial=quotas.get(institution.pk),
            )

    @staticmethod
    def quota_field(institution) -> str:
        return f"quota_{institution.pk}"

    def quota_fields(self):
        return [self[self.quota_field(institution)] for institution in self.institutions]

    def main_fields(self):
        return [field for field in self.visible_fields() if not field.name.startswith("quota_")]

    def quotas(self) -> dict:
        return {
            institution: self.cleaned_data[self.quota_field(institution)]
            for institution in self.institutions
            if self.cleaned_data.get(self.quota_field(institution)) is not None
        }


def form_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(label=_("Events"), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "event_types"]

    def __init__(self, *args, institution, **kwargs):
        from .registry import WEBHOOK_EVENTS

        super().__init__(*args, **kwargs)
        self.instance.institution = institution
        self.fields["event_types"].choices = [(e.name, f"{e.name} — {e.label}") for e in WEBHOOK_EVENTS.values()]


class EraseAccountForm(forms.Form):
    email = forms.EmailField(label=_("Type your e-mail address to confirm"))
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_email(self):
        if self.cleaned_data["email"].lower() != self.user.email.lower():
            raise ValidationError(_("This is not the address of your account."))
        return self.cleaned_data["email"]

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("The password is not correct."))
        return ""


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with the form class built once per set of filters instead of once per
    request: building a dozen fields and a class for every search took a third of a millisecond."""

    _form_classes: ClassVar[dict] = {}

    def get_form_class(self):
        key = (type(self), tuple(self.filters))  # a filter set may drop filters for some people
        if (form_class := self._form_classes.get(key)) is None:
            form_class = self._form_classes[key] = super().get_form_class()
        return form_class


class _Checked(BaseChoiceIterator):
    """Choices Django takes as they are: a plain list it checks item by item every time a field goes over
    its options (validating, then writing them), which for the few hundred countries adds up."""

    def __init__(self, choices: list):
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)


def country_choices():
    """The countries, sorted by their names in the active language: a callable, for a form field's choices."""
    return _countries_by_name(get_language())


@functools.cache
def _countries_by_name(language: str | None) -> _Checked:
    # Sorting the countries by their translated names took half a millisecond each time.
    return _Checked(list(countries))


def iso_language_choices():
    """The ISO 639-1 languages, named and sorted in the active language: a callable, for a form field's choices."""
    return _languages_by_name(get_language())


@functools.cache
def _languages_by_name(language: str | None) -> _Checked:
    # Django's catalogues name the languages; ISO_LANGUAGES holds their English names.
    names = [(code, gettext(str(name))) for code, name in ISO_LANGUAGES]
    return _Checked(sorted(names, key=lambda choice: choice[1].casefold()))


def option_tags(choices, chosen, counts: dict | None = None) -> SafeString:
    """The <option>s of a select, written in Python: Django renders a template per option, which for the
    few hundred countries and languages of a form costs milliseconds. `chosen` holds the selected values;
    `counts`, a search's number of results for each value, written after its label."""
    counts = counts or {}
    tags = []
    for value, label in choices:
        value = "" if value is None else str(value)
        count = counts.get(value) if value else None
        tags.append(
            f'<option value="{_escaped(value)}"{" selected" if value in chosen else ""}>'
            f"{_escaped(str(label))}{f' ({count})' if count else ''}</option>"
        )
    return mark_safe("".join(tags))  # noqa: S308 - every value and label is escaped above


@functools.lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    # Options repeat from page to page (countries, languages and kinds in five languages): escaped once each.
    return html.escape(text)


class FastSelect(forms.Select):
    """A select whose options are written by option_tags."""

    def render(self, name, value, attrs=None, renderer=None):
        options = option_tags(self.choices, set(self.format_value(value)))
        attrs = {"class": "form-select", **self.build_attrs(self.attrs, attrs)}
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), options)


# Knowledge base


class ArticleForm(forms.ModelForm):
    class Meta:
        model = KnowledgeArticle
        fields = ["title", "country", "category", "question", "answer"]
        widgets = {
            "country": FastSelect,
            "category": FastSelect,
            "question": forms.Textarea(attrs={"rows": 6}),
            "answer": forms.Textarea(attrs={"rows": 12}),
        }
        help_texts = {
            "question": _("Leave out anything that could identify the student, the people or the institutions."),
        }


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any category")), *SupportCategory.choices],
        widget=FastSelect,
    )

    def __init__(self, *args, **kwargs):
        from django_countries import countries

        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Any country")), *countries]


# Support desk figures

FIGURES_DEFAULT_DAYS = 90
FIGURES_FIRST_YEAR, FIGURES_LAST_YEAR = 2000, 2100


class FiguresPeriodMixin:
    """The `start` and `end` days of a figures form, kept within years the period arithmetic can handle."""

    def _clean_day(self, name: str):
        # Far-off years would overflow the date arithmetic of the period; no figures exist there.
        day = self.cleaned_data.get(name)
        if day is not None and not FIGURES_FIRST_YEAR <= day.year <= FIGURES_LAST_YEAR:
            raise ValidationError(
                gettext("Choose a day between the years %(first)d and %(last)d.")
                % {"first": FIGURES_FIRST_YEAR, "last": FIGURES_LAST_YEAR}
            )
        return day

    def clean_start(self):
        return self._clean_day("start")

    def clean_end(self):
        return self._clean_day("end")


class SupportFiguresForm(FiguresPeriodMixin, forms.Form):
    """The period of the desk figures (the user's own days, both included) and, for consortium
    admins, whose desk; no institution there means the whole consortium."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("The whole consortium"),
    )

    def __init__(self, *args, institutions=None, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["end"].initial = today
        self.fields["start"].initial = today - datetime.timedelta(days=FIGURES_DEFAULT_DAYS)
        if institutions is None:
            del self.fields["institution"]
        else:
            self.fields["institution"].queryset = institutions

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        data["end"] = data.get("end") or self.today
        data["start"] = data.get("start") or data["end"] - datetime.timedelta(days=FIGURES_DEFAULT_DAYS)
        if data["start"] > data["end"]:
            raise ValidationError({"start": gettext("The period must start on or before its last day.")})
        return data


# Support desk


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, as a list; the service checks each by its content."""

    def __init__(self, *args, accept: str = "", **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True, "accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = []
        for file in data if isinstance(data, list | tuple) else [data]:
            if file:
                files.append(super().clean(file, initial))
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


SUPPORT_ATTACHMENT_ACCEPT = ".pdf,.docx,.odt,application/pdf,application/vnd.oasis.opendocument.text," + (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)


def support_attachments_field():
    return MultipleFileField(
        label=_("Attachments"),
        required=False,
        accept=SUPPORT_ATTACHMENT_ACCEPT,
        help_text=_("PDF, DOCX or ODT, at most 10 MB each; you can choose several files."),
    )


class SupportRequestForm(forms.ModelForm):
    languages = LanguageLevelsField(label=_("Languages"), required=False, help_text=_("With CEFR levels, A1 to C2."))
    attachments = support_attachments_field()

    class Meta:
        model = SupportRequest
        fields = [
            "target_country",
            "target_institution",
            "category",
            "subject",
            "question",
            "field_of_study",
            "degree_level",
            "target_role",
            "timeframe",
        ]
        widgets = {"target_country": FastSelect, "question": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "target_institution": _("Optional. Without it, the request goes to a liaison officer in that country."),
            "target_role": _("For example: junior UX designer, automotive industry."),
            "timeframe": _("For example: an internship from September, six months."),
        }

    def __init__(self, *args, requester: User, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = self.fields["target_institution"]
        institutions.queryset = (
            Institution.objects.active().exclude(pk=requester.institution_id).order_by("country", "name")
        )
        institutions.label_from_instance = lambda institution: f"{institution.name} ({institution.country.name})"
        institutions.empty_label = _("Any member institution in that country")
        self.fields["subject"].widget.attrs["autocomplete"] = "off"

    def service_arguments(self) -> dict:
        """The cleaned data as open_support_request takes it."""
        data = self.cleaned_data
        return {name: data[name] or "" for name in self.Meta.fields if name != "target_institution"} | {
            "target_institution": data["target_institution"],
            "languages": data["languages"],
            "attachments": data["attachments"],
        }


class SupportMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 5}))
    attachments = support_attachments_field()


class SupportResolveForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the answer?"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        help_text=_("1 is not useful at all, 5 is exactly what you needed."),
    )
    comment = forms.CharField(
        label=_("Comment for the partner"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    publication_consent = forms.BooleanField(
        label=_("The answer may be published, anonymised, in the consortium's knowledge base"), required=False
    )


class SupportReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("What is still missing?"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SurveyAnswerForm(forms.Form):
    """One field per question of a survey's questionnaire, named question_<id>; the service checks
    the answers again (window, scale, required) and its errors land next to the same fields."""

    def __init__(self, *args, questions, **kwargs):
        from .models import QuestionKind
        from .services.surveys import TEXT_ANSWER_MAX_LENGTH, field_name

        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            if question.kind == QuestionKind.TEXT:
                field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
                    max_length=TEXT_ANSWER_MAX_LENGTH,
                )
            else:
                field = forms.TypedChoiceField(
                    choices=[(n, str(n)) for n in question.scale], coerce=int, widget=forms.RadioSelect
                )
            field.label, field.required, field.question = question.text, question.required, question
            self.fields[field_name(question)] = field

    def answers(self) -> dict[int, int | str]:
        return {
            field.question.pk: self.cleaned_data[name]
            for name, field in self.fields.items()
            if self.cleaned_data.get(name) not in (None, "")
        }


# Impact figures

IMPACT_ACADEMIC_YEARS = 10


class ImpactPeriodForm(FiguresPeriodMixin, forms.Form):
    """The period of the impact figures: this month, the last 12 months (the default), an academic
    year (1 September to 31 August) or any days from–to, both included."""

    PERIODS = (
        ("month", _("This month")),
        ("year", _("Last 12 months")),  # this month and the 11 before it
        ("academic", _("An academic year")),
        ("custom", _("From–to")),
    )
    period = forms.ChoiceField(
        label=_("Period"), choices=PERIODS, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    academic_year = forms.TypedChoiceField(
        label=_("Academic year"),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )

    def __init__(self, data=None, *, today: datetime.date, **kwargs):
        # A page opened without a period shows, and selects, the last 12 months.
        super().__init__(data or {"period": "year"}, **kwargs)
        self.today = today
        latest = today.year if today.month >= 9 else today.year - 1
        self.fields["academic_year"].choices = [
            (year, f"{year}/{(year + 1) % 100:02d}") for year in range(latest, latest - IMPACT_ACADEMIC_YEARS, -1)
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        period, today = data.get("period") or "year", self.today
        if period == "month":
            data["start"], data["end"] = today.replace(day=1), today
        elif period == "year":
            data["start"], data["end"] = _first_of_month_before(today, 11), today
        elif period == "academic":
            year = data.get("academic_year")
            if year is None:
                raise ValidationError({"academic_year": gettext("Choose the academic year.")})
            data["start"], data["end"] = datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)
        else:
            missing = {name: gettext("Enter a day.") for name in ("start", "end") if not data.get(name)}
            if missing:
                raise ValidationError(missing)
            if data["start"] > data["end"]:
                raise ValidationError({"start": gettext("The period must start on or before its last day.")})
        data["period"] = period
        return data


def _first_of_month_before(day: datetime.date, months: int) -> datetime.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return datetime.date(year, month + 1, 1)
