"""The coordinators' editor of a form's SMS grammar: its prefix and each question's tag, validated."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from pollwatch.collection.models import ObservationForm
from pollwatch.collection.xforms import alike_sms_tags
from pollwatch.sms.queries import sms_field_type

PREFIX = re.compile(r"[A-Z]{1,10}")
TAG = re.compile(r"[A-Z0-9]{1,10}")


class SmsTagsForm(forms.Form):
    """One text input for the prefix, one per question (named ``tag_<question name>``)."""

    prefix = forms.CharField(label=_("SMS prefix"), max_length=10, required=False,
                             help_text=_("Letters that start every SMS of this form; empty: no SMS reports."))

    def __init__(self, *args, form: ObservationForm, others: list[ObservationForm], **kwargs):
        super().__init__(*args, **kwargs)
        self.observation_form = form
        # the other forms of the mission (their current versions): a prefix is the mission's, one form each
        self.others = others
        self.questions = [f for f in form.fields if f.get("name")]
        if not self.is_bound:
            self.initial["prefix"] = form.sms_prefix
        for f in self.questions:
            self.fields[f"tag_{f['name']}"] = forms.CharField(
                label=f.get("label") or f["name"], max_length=10, required=False,
                initial=f.get("sms_tag", ""))

    def rows(self):
        """(question, its tag field) in the form's order, for the template."""
        return [(f, self[f"tag_{f['name']}"]) for f in self.questions]

    def clean_prefix(self) -> str:
        prefix = self.cleaned_data["prefix"].strip().upper()
        if prefix and not PREFIX.fullmatch(prefix):
            raise forms.ValidationError(_("A prefix is 1–10 letters (A–Z)."))
        taken = next((o for o in self.others if prefix and o.sms_prefix.upper() == prefix), None)
        if taken is not None:
            raise forms.ValidationError(_("The form “%(title)s” has this prefix already.") % {"title": taken.title})
        return prefix

    def clean(self):
        cleaned = super().clean()
        seen: dict[str, str] = {}
        for f in self.questions:
            key = f"tag_{f['name']}"
            tag = (cleaned.get(key) or "").strip().upper()
            if tag and not TAG.fullmatch(tag):
                self.add_error(key, _("A tag is 1–10 letters or digits."))
                continue
            if tag and tag in seen:
                self.add_error(key, _("%(tag)s is the tag of “%(other)s” already.") % {"tag": tag, "other": seen[tag]})
                continue
            if tag:
                seen[tag] = f.get("label") or f["name"]
            cleaned[key] = tag
        return cleaned

    def tags(self) -> dict[str, str]:
        return {f["name"]: self.cleaned_data[f"tag_{f['name']}"] for f in self.questions}

    def alike(self) -> list[str]:
        """Warnings (not errors) about tags a mistyped message may confuse once I/L are typed as 1 and O as 0
        (``IA`` and ``LA``; ``AI`` next to ``IA``): the submitted tags, else the form's current ones."""
        if self.is_bound:
            data = {f["name"]: str(self.data.get(f"tag_{f['name']}", "")).strip().upper() for f in self.questions}
        else:
            data = {f["name"]: f.get("sms_tag", "") for f in self.questions}
        # a comment question takes the @comment, not a tag/value pair: its tag is never read from the pairs
        tags = [data[f["name"]] for f in self.questions if data[f["name"]] and sms_field_type(f) != "comment"]
        return [_("%(tag)s and %(other)s read alike when I or L is typed as 1 and O as 0 (“%(text)s”): a mistyped "
                  "message could be read either way. Consider changing one of them.")
                % {"tag": a, "other": b, "text": text} for a, b, text in alike_sms_tags(tags)]
