from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pollwatch.statements.models import Assessment, Section
from pollwatch.statements.services import check_text


class FindingForm(forms.Form):
    section = forms.ChoiceField(choices=Section.choices)
    assessment = forms.ChoiceField(choices=Assessment.choices)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                           help_text="Numbers as placeholders, e.g. {{ checklist.ballot_box_sealed.no_of }}")

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_text(self):
        text = self.cleaned_data["text"]
        problems = check_text(self.mission, text)
        if problems:
            raise forms.ValidationError(problems)  # an unknown or broken placeholder: an editor error
        return text


# The languages a statement's template and section names are translated into (statements/locale).
STATEMENT_LANGUAGES = [("en", "English"), ("ru", "Русский")]


class StatementForm(forms.Form):
    """The statement itself: its title, the summary of conclusions (placeholders allowed) and its language."""

    title = forms.CharField(max_length=300, label=_("Title"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=10000, required=False,
                              label=_("Summary of conclusions"),
                              help_text=_("The conclusions, first; numbers as placeholders like the findings"))
    language = forms.ChoiceField(choices=STATEMENT_LANGUAGES, label=_("Language"))

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.mission = mission

    def clean_summary(self):
        summary = self.cleaned_data["summary"]
        problems = check_text(self.mission, summary)
        if problems:
            raise forms.ValidationError(problems)
        return summary


class NewStatementForm(StatementForm):
    slug = forms.SlugField(max_length=80, label=_("Address"),
                           help_text=_("The public page will be /p/<mission>/<address>/"))

    field_order = ["slug", "title", "language", "summary"]

    def clean_slug(self):
        from pollwatch.statements.models import Statement

        slug = self.cleaned_data["slug"]
        if Statement.objects.for_mission(self.mission).filter(slug=slug).exists():
            raise forms.ValidationError(_("This mission already has a statement at this address."))
        return slug
