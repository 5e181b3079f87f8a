"""The moment a brake's window ends between ``cache.add`` and ``cache.incr``, for the brakes' tests."""

from __future__ import annotations

from django.core.cache import caches


def end_windows_after_add(monkeypatch) -> None:
    """From now on every key the cache adds is gone again when the next call (``incr``) comes."""
    backend = type(caches["default"])
    real_add = backend.add

    def add(self, key, *args, **kwargs):
        added = real_add(self, key, *args, **kwargs)
        self.delete(key)
        return added

    monkeypatch.setattr(backend, "add", add)
