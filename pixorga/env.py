"""Reading settings from the environment, in one place.

Malformed values raise ``ImproperlyConfigured`` at start-up, so a typo in ``DATABASE_URL`` fails loudly
instead of silently falling back to a default.
"""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir true ou false (reçu {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un entier (reçu {raw!r}).") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_networks(name: str, default: str = "") -> list[str]:
    """Comma-separated IP addresses or CIDR networks (``10.0.0.5,172.16.0.0/12``), as normalised networks."""
    networks = []
    for item in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} doit lister des adresses IP ou des réseaux (reçu {item!r}).") from exc
    return networks


def database_config_from_url(url: str) -> dict:
    """Turn ``postgresql://user:pass@host:port/name?host=/socket/dir`` into a Django DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL doit désigner PostgreSQL (schéma reçu : {parts.scheme!r}).")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL doit nommer la base de données.")
    query = parse_qs(parts.query)
    host = query.pop("host", [parts.hostname or ""])[0]
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured("Le port de DATABASE_URL est invalide.") from exc
    options = {key: values[-1] for key, values in query.items()}
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": unquote(host),
        "PORT": str(port or ""),
        "OPTIONS": options,
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def check_redis_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ImproperlyConfigured(f"REDIS_URL doit commencer par redis:// (reçu {parts.scheme!r}).")
    return url


def redis_url_with_db(url: str, db: int) -> str:
    """The same Redis server, another logical database (the cache must not share the broker's)."""
    parts = urlsplit(url)
    return parts._replace(path=f"/{db}").geturl()


DEFAULT_ADDRESS = "127.0.0.1:8000"
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 - names of "every interface", compared, never bound here


def served_address() -> tuple[str, int]:
    """``PIXORGA_ADDRESS`` (``host:port``, ``[v6]:port`` or ``port``) where ``make run`` serves the site."""
    raw = os.environ.get("PIXORGA_ADDRESS", DEFAULT_ADDRESS).strip()
    host, _, port = raw.rpartition(":") if ":" in raw else ("127.0.0.1", "", raw)
    host = host.strip("[]")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ImproperlyConfigured(f"PIXORGA_ADDRESS doit être de la forme hôte:port (reçu {raw!r}).")
    return host, int(port)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def site_url_for_address(host: str, port: int) -> str:
    """The address people type to reach a site served on ``host:port`` (the machine's name when every
    interface is served), for links in e-mails and printed sheets."""
    import socket

    shown = socket.getfqdn() if host in WILDCARD_HOSTS else host
    return f"http://{_url_host(shown)}" + ("" if port == 80 else f":{port}")


def hosts_for_address(host: str) -> list[str]:
    """Host names a site served on ``host`` answers to: that host, or when every interface is served the
    machine's names and addresses; always the loopback names."""
    import socket

    hosts = {"127.0.0.1", "localhost", "[::1]"}
    if host not in WILDCARD_HOSTS:
        hosts.add(_url_host(host))
        return sorted(hosts)
    import psutil

    hosts.update({socket.gethostname(), socket.getfqdn()})
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET:
                hosts.add(address.address)
            elif address.family == socket.AF_INET6 and "%" not in address.address:
                hosts.add(f"[{address.address}]")
    return sorted(hosts)
