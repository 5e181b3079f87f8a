"""Tenant isolation: the one mechanism through which Orga pages and API views reach an organisation.

The organisation comes from the URL (``org_id``); the membership that grants access comes from the
database (``membership_get_for_user``). A user who is not an active member of that organisation — or
an organisation that does not exist or is archived — gets a 404, never a 403 that would confirm it
exists. Inside one's own organisation, a role that is too low gets a 403.

Views receive ``request.membership`` and ``request.organization`` and must start every query from
``request.organization`` (selectors take it as a required keyword). The session's "last organisation"
is only a default for redirects, never a filter.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from accounts.models import Membership
from accounts.selectors import membership_get_for_user


def resolve_membership(request: HttpRequest, organization_id: int, required_role: str | None) -> Membership:
    membership = membership_get_for_user(user=request.user, organization_id=organization_id)
    if required_role == Membership.Role.ADMIN and not membership.is_admin:
        raise PermissionDenied
    request.membership = membership
    request.organization = membership.organization
    return membership


def _tenant_view(resolve: Callable, url_kwarg: str) -> Callable:
    """A decorator factory for HTML views whose URL names the tenant in ``url_kwarg``."""

    def view_decorator(required_role: str | None = None) -> Callable:
        def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
            @login_required
            @wraps(view)
            def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
                resolve(request, kwargs.pop(url_kwarg), required_role)
                return view(request, *args, **kwargs)

            return wrapper

        return decorator

    return view_decorator


class _TenantApi(APIView):
    """Scoping is the base class's job: subclasses may not redefine ``get_queryset``/``get_object``."""

    permission_classes = [IsAuthenticated]
    required_role: str | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for forbidden in ("get_queryset", "get_object"):
            if forbidden in cls.__dict__:
                raise TypeError(f"{cls.__name__} ne doit pas redéfinir {forbidden} : utilisez les sélecteurs scopés.")


organization_view = _tenant_view(resolve_membership, "org_id")
organization_view.__doc__ = "Decorate an HTML view taking ``org_id``: login, membership (404), role (403)."


class OrganizationApi(_TenantApi):
    """Base class of every API view under ``/api/organizations/{org_id}/…``.

    Subclasses set ``required_role`` (None = any member) and read ``self.organization``.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.membership = resolve_membership(request, kwargs["org_id"], self.required_role)
        self.organization = self.membership.organization


# --- certification centres (Pix Certif) --------------------------------------------------------------


def resolve_center_access(request: HttpRequest, center_id: int, required_role: str | None):
    """The centre from the URL, access from the database: 404 when not a member, 403 for a low role."""
    from certification.models import CenterMembership
    from certification.selectors import center_access_get_for_user

    access = center_access_get_for_user(user=request.user, center_id=center_id)
    if required_role == CenterMembership.Role.ADMIN and not access.is_admin:
        raise PermissionDenied
    request.center_access = access
    request.center = access.center
    return access


center_view = _tenant_view(resolve_center_access, "center_id")
center_view.__doc__ = "Decorate an HTML view taking ``center_id``: login, centre access (404), role (403)."


class CertificationCenterApi(_TenantApi):
    """Base class of API views under ``/api/certification-centers/{center_id}/…``."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.center_access = resolve_center_access(request, kwargs["center_id"], self.required_role)
        self.center = self.center_access.center
