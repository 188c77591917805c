from __future__ import annotations

from django import forms

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
