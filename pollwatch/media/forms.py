"""Forms of the media pages: corpus upload and outlet attributes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pollwatch.media.importers import MAX_FILES
from pollwatch.media.models import Outlet


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (the pattern of Django's docs, "Uploading multiple files")."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("allow_empty_file", True)  # an empty file gets its own message from the importer
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        files = [single(d, initial) for d in data] if isinstance(data, list | tuple) else [single(data, initial)]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most {n} files per import.").format(n=MAX_FILES))
        return files


class CorpusUpload(forms.Form):
    files = MultipleFileField(label=_("News items"), help_text=_("Text, HTML or CSV files, or a text file of URLs"))
    outlet = forms.CharField(max_length=200, required=False, label=_("Outlet"),
                             help_text=_("The outlet of items whose file does not name one"))
    fetch_urls = forms.BooleanField(required=False, label=_("Fetch the URLs of URL lists (uses the network)"))


class OutletForm(forms.ModelForm):
    class Meta:
        model = Outlet
        fields = ["ownership", "kind", "language"]
