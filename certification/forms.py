from django import forms

from certification.models import Candidate, CertificationCourse, IssueReport


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class SessionForm(forms.Form):
    address = forms.CharField(
        label="Nom du site", max_length=255, help_text="Par exemple « Lycée Victor Hugo, bâtiment B »."
    )
    room = forms.CharField(label="Nom de la salle", max_length=255)
    examiner = forms.CharField(label="Surveillant(s)", max_length=255)
    date = forms.DateField(label="Date de la session", widget=DateInput)
    time = forms.TimeField(label="Heure de début (heure locale)", widget=TimeInput)
    description = forms.CharField(
        label="Observations", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CandidateForm(forms.Form):
    last_name = forms.CharField(label="Nom de naissance", max_length=255)
    first_name = forms.CharField(label="Prénom", max_length=255)
    sex = forms.ChoiceField(label="Sexe", choices=Candidate.Sex.choices, widget=forms.RadioSelect)
    birthdate = forms.DateField(label="Date de naissance", widget=DateInput)
    birth_country = forms.CharField(label="Pays de naissance", max_length=255, initial="FRANCE")
    birth_insee_code = forms.CharField(
        label="Code INSEE de la commune de naissance",
        required=False,
        max_length=5,
        help_text="Ou bien code postal et commune.",
    )
    birth_postal_code = forms.CharField(label="Code postal de la commune de naissance", required=False, max_length=5)
    birth_city = forms.CharField(label="Commune de naissance", required=False, max_length=255)
    email = forms.EmailField(label="E-mail de convocation", required=False)
    result_recipient_email = forms.EmailField(label="E-mail du destinataire des résultats", required=False)
    external_id = forms.CharField(label="Identifiant externe", required=False, max_length=255)
    extra_time_percentage = forms.IntegerField(
        label="Temps majoré (%)",
        required=False,
        min_value=0,
        max_value=99,
        help_text="Par exemple 33 pour un tiers-temps.",
    )


class CandidatesImportForm(forms.Form):
    file = forms.FileField(label="Fichier des candidats (CSV)")


class EntryIdentityForm(forms.Form):
    session_id = forms.IntegerField(label="Numéro de session", min_value=1, help_text="Donné par le surveillant.")
    first_name = forms.CharField(label="Prénom", max_length=255)
    last_name = forms.CharField(label="Nom de naissance", max_length=255)
    birthdate = forms.DateField(label="Date de naissance", widget=DateInput)


class AccessCodeForm(forms.Form):
    access_code = forms.CharField(
        label="Code d'accès à la session",
        max_length=6,
        min_length=6,
        help_text="6 caractères, communiqués par le surveillant dans la salle.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class InvigilatorLoginForm(forms.Form):
    session_id = forms.IntegerField(label="Numéro de session", min_value=1)
    password = forms.CharField(label="Mot de passe de la session", max_length=5, widget=forms.PasswordInput)


class IssueReportForm(forms.Form):
    category = forms.ChoiceField(label="Catégorie", choices=IssueReport.Category.choices)
    subcategory = forms.ChoiceField(
        label="Précision", required=False, choices=[("", "—"), *IssueReport.Subcategory.choices]
    )
    question_number = forms.IntegerField(label="Numéro de la question", required=False, min_value=1, max_value=100)
    description = forms.CharField(
        label="Description", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VerificationForm(forms.Form):
    verification_code = forms.CharField(
        label="Code de vérification",
        max_length=10,
        help_text="Il figure sur l'attestation : « P- » suivi de 8 caractères.",
        widget=forms.TextInput(attrs={"placeholder": "P-XXXXXXXX", "autocomplete": "off"}),
    )


ABORT_REASON_CHOICES = [("", "— choisir —"), *CertificationCourse.AbortReason.choices]
