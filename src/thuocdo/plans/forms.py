"""Forms of the plans pages (validation of what people type; the rules stay in services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thuocdo.core.text import vi_sort_key
from thuocdo.geo.selectors import provinces
from thuocdo.plans import selectors
from thuocdo.plans.domain.workflow import TRANSITIONS
from thuocdo.plans.models import Plan, Status, Task


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=200)
    group = forms.ChoiceField(label=gettext_lazy("Group"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    lead_unit = forms.ChoiceField(label=gettext_lazy("Lead unit"), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        all_label = _("All")
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.ChoiceField)
        group_field.choices = [("", all_label)] + [
            (g.code, f"{g.code}. {g.title_vi}") for g in selectors.plan_groups(plan)
        ]
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)
        status_field.choices = [("", all_label), *Status.choices]
        leads = sorted(
            set(plan.tasks.values_list("lead_unit", "lead_unit_name")),
            key=lambda pair: vi_sort_key(pair[1] or pair[0]),
        )
        lead_field = self.fields["lead_unit"]
        assert isinstance(lead_field, forms.ChoiceField)
        lead_field.choices = [("", all_label)] + [(code, name or code) for code, name in leads]


class TaskUpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    progress = forms.IntegerField(label=gettext_lazy("Progress (%)"), required=False)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    on = forms.DateField(
        label=gettext_lazy("Report date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [task.status, *sorted(TRANSITIONS.get(task.status, frozenset()))]
        labels = dict(Status.choices)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, labels[s]) for s in allowed]
        self.fields["status"].initial = task.status
        self.fields["progress"].initial = task.progress


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    url = forms.CharField(label=gettext_lazy("Or a link"), required=False, max_length=1000)
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=300)


class WizardForm(forms.Form):
    framework = forms.ChoiceField(label=gettext_lazy("Framework"))
    unit = forms.ChoiceField(label=gettext_lazy("Province"))
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, scope: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fw_field = self.fields["framework"]
        assert isinstance(fw_field, forms.ChoiceField)
        fw_field.choices = [
            (fw.code, f"{fw.name_vi} ({fw.code})")
            for fw in selectors.framework_list()
            if fw.definition.get("departments")
        ]
        units = provinces()
        if scope.unit_path is not None:
            units = units.filter(path=scope.unit_path)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [(u.code, f"{u.name} ({u.code})") for u in units]
        self.fields["year"].initial = timezone.localdate().year


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSX file"))
