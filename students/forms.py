"""Forms of the students area: they read input; services decide."""

from __future__ import annotations

from django import forms

from students.models import LearnerImport
from students.selectors import CERTIFICABILITY_FILTERS, CONNECTION_METHODS


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier", help_text="Export SIECLE (.xml ou .zip) ou fichier CSV, 20 Mo au plus.")
    format = forms.ChoiceField(label="Format du fichier", choices=LearnerImport.Format.choices)

    def __init__(self, *args, formats: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            (value, label) for value, label in LearnerImport.Format.choices if value in formats
        ]
        self.fields["format"].initial = formats[0]


class LearnerFilterForm(forms.Form):
    search = forms.CharField(label="Rechercher", required=False, max_length=100)
    divisions = forms.MultipleChoiceField(label="Classes", required=False, widget=forms.CheckboxSelectMultiple)
    connection = forms.ChoiceField(
        label="Méthode de connexion", required=False, choices=[("", "Toutes"), *CONNECTION_METHODS.items()]
    )
    certificability = forms.ChoiceField(
        label="Certificabilité", required=False, choices=[("", "Toutes"), *CERTIFICABILITY_FILTERS.items()]
    )
    include_disabled = forms.BooleanField(label="Afficher les élèves désactivés", required=False)

    def __init__(self, *args, divisions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"].choices = [(d, d) for d in divisions]


class LearnerSelectionForm(forms.Form):
    learner_ids = forms.TypedMultipleChoiceField(coerce=int, required=True, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("learner_ids") if hasattr(self.data, "getlist") else []
        self.fields["learner_ids"].choices = [(v, v) for v in raw if str(v).isdigit()]
