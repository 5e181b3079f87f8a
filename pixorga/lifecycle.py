"""Stopping cleanly: one stop however many signals arrive, and no child outliving the launcher.

systemd, docker, CI and ``kill -- -PGID`` send SIGTERM to a whole process group, a terminal's Ctrl-C sends
SIGINT to it, and our launchers (``pixorga.embedded``, ``pixorga.stack``) also pass a signal on to their
child: one process may see the same stop twice. The first signal asks for the stop; later ones are only
noted, because a cleanup cut short by a second signal is what leaves servers running with parent 1.

The servers we start run in sessions of their own (the launcher stops them itself, in order, once), and
each is tied to its launcher's life with ``PR_SET_PDEATHSIG``: if the launcher is killed outright, they
receive SIGTERM instead of living on.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1


class StopRequest:
    """Set by the first SIGINT or SIGTERM; waiting on it is how a launcher idles."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: int | None = None

    def install(self) -> StopRequest:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self._handle)
        return self

    def _handle(self, signum: int, _frame) -> None:
        if self.signal is None:
            self.signal = signum
        self._event.set()

    @property
    def requested(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True as soon as a stop was asked for."""
        return self._event.wait(seconds)


def _die_with(parent_pid: int):
    libc = ctypes.CDLL(None, use_errno=True)

    def tie() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent_pid:  # the launcher died before the tie was made
            os.kill(os.getpid(), signal.SIGTERM)

    return tie


def start_child(args: Sequence[str], **popen_kwargs) -> subprocess.Popen:
    """A server or step of ours: its own session (only we signal it), SIGTERM if we die first."""
    return subprocess.Popen(list(args), start_new_session=True, preexec_fn=_die_with(os.getpid()), **popen_kwargs)


def stop_children(processes: Sequence[subprocess.Popen], *, timeout: float = 20) -> None:
    """SIGTERM each running child, wait for all, then kill what is left of each one's session.

    Signals are sent in the given order and every child is waited for, so callers list the web server
    before the worker, and services (Redis, PostgreSQL) are stopped only after this returns. A child that
    does not stop within ``timeout``, or a grandchild it left behind, is killed with its session.
    """
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _kill_session(process.pid)
            process.wait()
        _kill_session(process.pid)


def _kill_session(leader_pid: int) -> None:
    """SIGKILL every process still in the group our child led (none, after a clean stop)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(leader_pid, signal.SIGKILL)
