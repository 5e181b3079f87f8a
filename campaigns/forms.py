from django import forms

from campaigns.models import Campaign


class CampaignCreateForm(forms.Form):
    name = forms.CharField(label="Nom de la campagne", max_length=255)
    type = forms.ChoiceField(
        label="Quel est l'objectif de votre campagne ?", choices=Campaign.Type.choices, widget=forms.RadioSelect
    )
    target_profile = forms.TypedChoiceField(
        label="Que souhaitez-vous tester ?", required=False, coerce=int, empty_value=None
    )
    ask_external_id = forms.TypedChoiceField(
        label="Souhaitez-vous demander un identifiant externe ?",
        choices=[("non", "Non"), ("oui", "Oui")],
        widget=forms.RadioSelect,
        initial="non",
        coerce=lambda v: v == "oui",
    )
    external_id_label = forms.CharField(
        label="Libellé de l'identifiant externe",
        required=False,
        max_length=255,
        help_text="Par exemple « Numéro de groupe » ou « Adresse e-mail académique ».",
    )
    title = forms.CharField(label="Titre du parcours", required=False, max_length=255)
    custom_landing_page_text = forms.CharField(
        label="Texte de la page d'accueil",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple la date butoir, et si le travail se fait en classe ou à la maison.",
    )

    def __init__(self, *args, target_profiles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_profile"].choices = [("", "Choisissez un parcours")] + [
            (p.pk, p.name) for p in target_profiles
        ]

    def clean(self):
        data = super().clean()
        if data.get("ask_external_id") and not data.get("external_id_label"):
            self.add_error("external_id_label", "Indiquez le libellé de l'identifiant à demander.")
        if not data.get("ask_external_id"):
            data["external_id_label"] = ""
        return data
