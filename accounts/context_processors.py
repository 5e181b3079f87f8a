"""The organisation switcher and side menu, available to every template."""

from django.urls import NoReverseMatch, reverse

from accounts.selectors import memberships_list_for_user

# Side menu of an organisation, in the order of the product (PRODUCT.md §2). An entry appears once its
# page exists: each later issue adds its URL name and the entry shows up with no template change.
ORGANIZATION_MENU = [
    ("Campagnes", "campaigns:list"),
    ("Élèves", "students:list"),
    ("Équipe", "accounts:team"),
    ("Certification", "certification:home"),
    ("Documentation", "accounts:documentation"),
]


def organization_navigation(request):
    organization = getattr(request, "organization", None)
    if organization is None or not request.user.is_authenticated:
        return {}
    menu = []
    for label, url_name in ORGANIZATION_MENU:
        try:
            url = reverse(url_name, kwargs={"org_id": organization.pk})
        except NoReverseMatch:
            continue
        menu.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {
        "current_organization": organization,
        "current_membership": request.membership,
        "organization_menu": menu,
        "switchable_memberships": memberships_list_for_user(user=request.user),
    }
