"""The fixed-window counter every brake counts with (``pixorga.ratelimit``)."""

from __future__ import annotations

from pixorga.ratelimit import hit, limit_clear, limit_reached, rate_limited
from tests.ratelimit import end_windows_after_add


def test_hits_count_up_to_the_limit_then_brake():
    assert [rate_limited("demo", limit=2, seconds=60) for _ in range(3)] == [False, False, True]
    assert limit_reached("demo", limit=3) and not limit_reached("other", limit=1)


def test_a_window_that_ends_between_add_and_incr_opens_the_next_one_with_this_hit(monkeypatch):
    end_windows_after_add(monkeypatch)
    assert hit("demo", seconds=60) == 1
    assert limit_reached("demo", limit=1)


def test_clearing_a_key_starts_its_next_window_afresh():
    hit("demo", seconds=60)
    limit_clear("demo")
    assert not limit_reached("demo", limit=1) and hit("demo", seconds=60) == 1
