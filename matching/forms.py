import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from consortium.forms import LanguageLevelsField
from consortium.models import FieldOfStudy, Sector

from .models import MESSAGE_MAX_LENGTH, OFFER_DAYS, CooperationOffer, Intent, MatchingProfile, Visibility
from .services.profiles import skill_labels


class TagsField(forms.CharField):
    """Comma-separated free tags; the service normalises and limits them."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


class ProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=160,
        help_text=_("Who you are in a line, e.g. “Fintech founder, mentor for first-time entrepreneurs”."),
    )
    bio = forms.CharField(
        label=_("Short bio"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    looks_for = forms.MultipleChoiceField(
        label=_("I look for"), choices=Intent.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    offers = forms.MultipleChoiceField(
        label=_("I offer"), choices=Intent.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = TagsField(
        label=_("Topics"), required=False, help_text=_("Separated by commas, e.g. fintech, renewable energy, ageing.")
    )
    sectors = forms.MultipleChoiceField(label=_("Sectors"), choices=Sector.choices, required=False)
    fields_of_study = forms.MultipleChoiceField(
        label=_("Fields of study"), choices=FieldOfStudy.choices, required=False
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills"), required=False, widget=forms.CheckboxSelectMultiple, help_text=_("Untick to remove.")
    )
    skill_search = forms.CharField(
        label=_("Add skills"),
        required=False,
        help_text=_("Type to find ESCO skills; anything not found is added as your own tag, comma-separated."),
    )
    esco_skills = forms.MultipleChoiceField(label=_("Suggestions"), required=False, widget=forms.CheckboxSelectMultiple)
    languages = LanguageLevelsField(
        label=_("Languages you speak"), required=False, help_text=_("With your CEFR level, A1 to C2.")
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries of interest"),
        choices=countries,
        required=False,
        help_text=_("Where you would like to work, study or do business. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    intros_per_month = forms.TypedChoiceField(
        label=_("Introductions a month"),
        coerce=int,
        choices=[(n, n) for n in (1, 2, 3, 5, 8, 10, 15, 20)],
        initial=3,
        help_text=_("Once this many people asked you in a month, you are not recommended until the month ends."),
    )
    visibility = forms.ChoiceField(label=_("Who can find you"), choices=Visibility.choices, widget=forms.RadioSelect)

    def __init__(self, *args, profile: MatchingProfile | None, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = list(profile.skills) if profile else []
        if self.is_bound:
            current = list(dict.fromkeys(current + self.data.getlist("skills")))
        labels = skill_labels(current)
        self.fields["skills"].choices = [(key, labels[key]) for key in current]
        self.fields["esco_skills"].choices = [(s.esco_id, s.label) for s in suggestions] or [
            (i, i) for i in (self.data.getlist("esco_skills") if self.is_bound else [])
        ]

    def skill_keys(self) -> tuple[list[str], list[str], list[str]]:
        """(kept skill keys, ticked ESCO ids, free tags typed)."""
        typed = [t.strip().lower() for t in self.cleaned_data.get("skill_search", "").split(",") if t.strip()]
        return self.cleaned_data["skills"], self.cleaned_data["esco_skills"], typed


def profile_initial(profile: MatchingProfile | None, user) -> dict:
    languages = [(lang.language, lang.level) for lang in user.languages.all()]
    if profile is None:
        from .services import default_visibility

        return {"visibility": default_visibility(user), "intros_per_month": 3, "languages": languages}
    return {
        "headline": profile.headline, "bio": profile.bio, "looks_for": profile.looks_for, "offers": profile.offers,
        "topics": profile.topics, "sectors": profile.sectors, "fields_of_study": profile.fields_of_study,
        "skills": profile.skills, "countries": profile.countries, "intros_per_month": profile.intros_per_month,
        "visibility": profile.visibility, "languages": languages,
    }  # fmt: skip


class IntroductionForm(forms.Form):
    # No max_length here: the service refuses a longer message with one that names the limit.
    message = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX_LENGTH}),
        help_text=_("Say who you are and why you would like to meet; at most 2,000 characters."),
        strip=False,
        required=False,
    )


class ThreadMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}), required=False
    )


class ReportForm(forms.Form):
    reason = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    block = forms.BooleanField(label=_("Also block them"), required=False, initial=True)


class OfferForm(forms.ModelForm):
    seeks = forms.MultipleChoiceField(
        label=_("Looking for"), choices=Intent.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = TagsField(label=_("Topics"), required=False, help_text=_("Separated by commas."))
    expires_on = forms.DateField(
        label=_("Shown until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("At most 90 days from today; you can renew it."),
    )
    visibility = forms.ChoiceField(
        label=_("Who can find it"),
        choices=[
            (Visibility.CONSORTIUM, Visibility.CONSORTIUM.label),
            (Visibility.INSTITUTION, Visibility.INSTITUTION.label),
        ],
    )

    class Meta:
        model = CooperationOffer
        fields = ["kind", "title", "summary", "sought"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 5}), "sought": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer = self.instance
        if offer.pk:
            self.initial.update(seeks=offer.seeks, topics=offer.topics, visibility=offer.visibility)
            self.initial["expires_on"] = timezone.localtime(offer.expires_at).date()
        else:
            self.initial["expires_on"] = timezone.localdate() + datetime.timedelta(days=OFFER_DAYS)

    def clean_expires_on(self):
        # Said with the other fields' errors; the service checks the time itself again.
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError(
                _("The expiry date is in the past. Choose a date within the next %(days)d days.") % {"days": OFFER_DAYS}
            )
        return expires_on

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        expires_on = data.get("expires_on")
        expires_at = None
        if expires_on:
            # The end of the chosen day in the person's time zone; today's date is already too late.
            expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time(23, 59)))
            if expires_on < timezone.localdate():
                expires_at = timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time(0, 0)))
        return {
            "kind": data["kind"], "title": data["title"], "summary": data["summary"], "sought": data["sought"],
            "seeks": data["seeks"], "topics": data["topics"], "visibility": data["visibility"],
            "expires_at": expires_at,
        }  # fmt: skip
