"""Cross-tenant checks every later issue reuses: another school's object must be a 404, never a 403."""

from __future__ import annotations

from collections.abc import Iterable


def assert_cross_tenant_404(client, routes: Iterable[tuple[str, str]], data: dict | None = None) -> None:
    """``client`` is logged in as a user of school B; each (method, url) points at school A's data."""
    for method, url in routes:
        response = getattr(client, method.lower())(url, data or {})
        assert response.status_code == 404, f"{method} {url} → {response.status_code}, 404 attendu"
