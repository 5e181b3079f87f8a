"""Forms translate input; rules stay in services."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.models import Membership


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label="Adresse e-mail ou identifiant",
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": "L'adresse e-mail ou l'identifiant et/ou le mot de passe saisis sont incorrects.",
        "inactive": "Ce compte est désactivé.",
    }


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NewAccountFields(forms.Form):
    first_name = forms.CharField(
        label="Prénom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label="Nom", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password = forms.CharField(
        label="Mot de passe",
        help_text="8 caractères au moins, dont une majuscule, une minuscule et un chiffre.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    cgu = forms.BooleanField(label="J'accepte les conditions d'utilisation de la plateforme", required=True)


class SignupForm(NewAccountFields):
    email = forms.EmailField(
        label="Adresse e-mail (facultative)",
        required=False,
        help_text=(
            "Sans adresse e-mail, un identifiant est créé avec votre prénom, votre nom et votre date de naissance."
        ),
    )
    birthdate = forms.DateField(label="Date de naissance", required=False, widget=DateInput())

    field_order = ["first_name", "last_name", "email", "birthdate", "password", "cgu"]


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label="Adresses e-mail",
        help_text="Séparez les adresses par des virgules pour inviter plusieurs personnes.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "prenom.nom@ac-academie.fr, autre@ac-academie.fr"}),
    )
    role = forms.ChoiceField(label="Rôle", choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Membership.Role.choices)


class AccessRequestForm(forms.Form):
    uai = forms.CharField(label="UAI/RNE de l'établissement", max_length=16, help_text="Par exemple 0691234A.")
    first_name = forms.CharField(label="Votre prénom", max_length=150)
    last_name = forms.CharField(label="Votre nom", max_length=150)


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
