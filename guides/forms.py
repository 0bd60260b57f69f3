"""Forms of the guides app: country guides first, then the resource library."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consortium.forms import FastSelect, country_choices, iso_language_choices

from .models import Resource

# Country guides


def _guide_country_choices():
    return [("", _("Choose a country")), *country_choices()]


def _language_choices():
    return [("", _("Choose a language")), *iso_language_choices()]


class StartEditionForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=_guide_country_choices)
    language = forms.ChoiceField(
        label=_("Language of the edition"), choices=_language_choices, help_text=_("ISO 639-1 language.")
    )


class GuideSectionForm(forms.Form):
    body_markdown = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "class": "form-control font-monospace"}),
        help_text=_("Markdown: **bold**, *italics*, lists with “-”, links as [text](https://…), headings with “###”."),
    )


class SubmitDraftForm(forms.Form):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("One line for the reviewer and the revision history."),
    )


class DraftVersionForm(forms.Form):
    """Which draft, in which version, a reviewer acts on (see GuideDraft.version)."""

    draft = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)


class SendBackDraftForm(DraftVersionForm):
    comment = forms.CharField(label=_("What the author should change"), widget=forms.Textarea(attrs={"rows": 3}))


class InviteEditorForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("A member of staff of a member institution, with an account here.")
    )


class CompareRevisionsForm(forms.Form):
    old = forms.IntegerField(label=_("From revision"), min_value=1)
    new = forms.IntegerField(label=_("To revision"), min_value=1)


# Resource library


def _search_type_choices():
    from .services.search import TYPE_CHOICES

    return TYPE_CHOICES


def _search_language_choices():
    return [("", _("Any language")), *iso_language_choices()]


class _FastSelectMultiple(FastSelect, forms.SelectMultiple):
    """FastSelect's rendering (the few hundred countries), SelectMultiple's reading of the values."""


class ResourceForm(forms.ModelForm):
    """A resource's fields; the link, file, countries and tags are checked by services.resources.save_resource."""

    link = forms.CharField(
        label=_("Link"),
        required=False,
        max_length=500,
        help_text=_("A web address (https://…), for a recording or a page elsewhere. Or upload a file instead."),
    )
    upload = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, DOCX, PPTX, ODT or ODP, at most 20 MB."),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".pdf,.docx,.pptx,.odt,.odp"}),
    )
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        choices=country_choices,
        widget=_FastSelectMultiple(attrs={"multiple": True, "size": 6}),
        help_text=_("The countries it is about, if any. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=_language_choices)
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=400,
        help_text=_("Separated by commas, e.g. interview, engineering."),
    )

    class Meta:
        model = Resource
        fields = ["title", "kind", "description", "language", "audience"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    field_order = ["title", "kind", "description", "upload", "link", "language", "audience", "countries", "tags"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        resource = self.instance
        if resource.pk:
            self.initial.update(link=resource.url, countries=resource.countries, tags=", ".join(resource.tags))
            if resource.file:
                self.fields["upload"].help_text = _(
                    "Now: %(name)s. Upload another file to replace it, or give a link instead."
                ) % {"name": resource.file_name}

    def resource(self) -> Resource:
        """The instance with the form's values, for the service to check and save."""
        resource = self.instance
        resource.url = self.cleaned_data["link"]
        resource.countries = self.cleaned_data["countries"]
        resource.tags = self.cleaned_data["tags"]
        return resource


class SiteSearchForm(forms.Form):
    """The one search over guides and resources."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    type = forms.ChoiceField(label=_("Show"), required=False, choices=_search_type_choices, widget=FastSelect)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=_search_language_choices, widget=FastSelect
    )
