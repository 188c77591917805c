"""Django forms of Collection: XLSForm upload and web entry generated from a form's questions."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.payloads import MAX_INT
from pollwatch.collection.xforms import label_in
from pollwatch.missions.models import Observer

MAX_XLSFORM_BYTES = 5 * 1024 * 1024


class XlsFormUpload(forms.Form):
    file = forms.FileField(label=_("XLSForm (.xlsx)"))
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Guess from the form id"))] + ObservationForm.Kind.choices,
                             required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_XLSFORM_BYTES:
            raise forms.ValidationError(_("The file is larger than {mb} MB.").format(mb=MAX_XLSFORM_BYTES // 1024 // 1024))
        if not f.name.lower().endswith((".xlsx", ".xls")):
            raise forms.ValidationError(_("Upload an XLSForm spreadsheet (.xlsx or .xls)."))
        return f


def entry_form_class(form: ObservationForm, mission) -> type[forms.Form]:
    """A server-rendered form with one field per question of ``form`` plus the observer it is entered for.

    Labels, hints and choices are in the interface's language when the XLSForm has it, else the form's default.
    """
    language = get_language()
    fields: dict[str, forms.Field] = {
        "observer": forms.ModelChoiceField(queryset=Observer.objects.for_mission(mission), required=True,
                                           label=_("Observer"), help_text=_("The observer who reported this"))
    }
    for q in form.fields:
        if not q.get("question") or q["type"] == "binary":
            continue
        common = {"label": label_in(q, language) or q["name"], "required": q["required"],
                  "help_text": label_in(q, language, "hint")}
        choices = [(c["name"], label_in(c, language) or c["name"]) for c in q.get("choices", [])]
        if q["type"] == "select1" and choices:
            field = forms.ChoiceField(choices=[("", "—")] + choices, **common)
        elif q["type"] == "select":
            field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        elif q["type"] == "int":
            field = forms.IntegerField(min_value=-MAX_INT, max_value=MAX_INT, **common)
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
