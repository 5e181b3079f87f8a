"""Platform-level tasks."""

from celery import shared_task


@shared_task(name="pixorga.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check: proves a worker consumes the broker and can answer."""
    return value
