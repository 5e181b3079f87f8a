"""Whether to show « Pix Certif » in the top bar; computed only if a template asks."""

from django.utils.functional import SimpleLazyObject

from certification.selectors import centers_list_for_user


def certif_navigation(request):
    if not request.user.is_authenticated:
        return {}
    return {"has_certif_access": SimpleLazyObject(lambda: bool(centers_list_for_user(user=request.user)))}
