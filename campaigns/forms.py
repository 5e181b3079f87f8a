from django import forms

from accounts.forms import DateInput
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
    external_id_type = forms.ChoiceField(
        label="Type de l'identifiant externe",
        choices=Campaign.ExternalIdType.choices,
        required=False,
        initial=Campaign.ExternalIdType.STRING,
    )
    multiple_sendings = forms.BooleanField(
        label="Envoi multiple : les participants peuvent repasser le parcours et renvoyer leurs résultats",
        required=False,
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


class CampaignEditForm(forms.Form):
    name = forms.CharField(label="Nom de la campagne", max_length=255)
    title = forms.CharField(label="Titre du parcours", required=False, max_length=255)
    custom_landing_page_text = forms.CharField(
        label="Texte de la page d'accueil", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner_id = forms.TypedChoiceField(label="Propriétaire", coerce=int)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [(m.user_id, m.user.full_name or m.user.login) for m in members]


class ReconciliationForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    birthdate = forms.DateField(label="Date de naissance", widget=DateInput())


class CampaignCodeForm(forms.Form):
    code = forms.CharField(
        label="Code de la campagne",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "placeholder": "ABCDEF123"}
        ),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()
