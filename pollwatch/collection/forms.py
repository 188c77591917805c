"""Django forms of Collection: XLSForm upload and web entry generated from a form's questions."""

from __future__ import annotations

from django import forms

from pollwatch.collection.models import ObservationForm
from pollwatch.missions.models import Observer

MAX_XLSFORM_BYTES = 5 * 1024 * 1024


class XlsFormUpload(forms.Form):
    file = forms.FileField(label="XLSForm (.xlsx)")
    kind = forms.ChoiceField(choices=[("", "Guess from the form id")] + ObservationForm.Kind.choices, required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_XLSFORM_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_XLSFORM_BYTES // 1024 // 1024} MB.")
        if not f.name.lower().endswith((".xlsx", ".xls")):
            raise forms.ValidationError("Upload an XLSForm spreadsheet (.xlsx or .xls).")
        return f


def entry_form_class(form: ObservationForm, mission) -> type[forms.Form]:
    """A server-rendered form with one field per question of ``form`` plus the observer it is entered for."""
    fields: dict[str, forms.Field] = {
        "observer": forms.ModelChoiceField(queryset=Observer.objects.for_mission(mission), required=True,
                                           help_text="The observer who reported this")
    }
    for q in form.fields:
        if not q.get("question") or q["type"] == "binary":
            continue
        common = {"label": q["label"] or q["name"], "required": q["required"]}
        choices = [(c["name"], c["label"] or c["name"]) for c in q.get("choices", [])]
        if q["type"] == "select1" and choices:
            field = forms.ChoiceField(choices=[("", "—")] + choices, **common)
        elif q["type"] == "select":
            field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        elif q["type"] == "int":
            field = forms.IntegerField(**common)
        elif q["type"] == "decimal":
            field = forms.FloatField(**common)
        elif q["type"] == "date":
            field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        elif q["type"] == "time":
            field = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), **common)
        else:
            field = forms.CharField(max_length=2000, **common)
        fields[q["name"]] = field
    return type("EntryForm", (forms.Form,), fields)
