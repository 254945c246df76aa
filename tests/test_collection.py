"""socialmap.collection.kept_apart: the block runs with the collector paused, and what is alive
when it ends is set aside (frozen) before the collector runs again; an error sets nothing aside."""

from __future__ import annotations

import gc

import pytest

from socialmap.collection import kept_apart


@pytest.fixture
def collector_running():
    gc.enable()
    yield
    gc.unfreeze()  # what the tests set aside is walked again, as before them
    # left running, as Python starts: a collector found paused here was paused by something
    # else for a while (a job of an earlier test), and pausing it again for good would leave
    # every later test without it
    gc.enable()


def test_what_the_block_made_is_set_aside(collector_running):
    gc.unfreeze()
    with kept_apart():
        assert not gc.isenabled()
        made = [[i] for i in range(1000)]  # 1,001 tracked objects
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 1001
    assert all(not any(x is made for x in gc.get_objects(generation)) for generation in range(3))


def test_an_error_sets_nothing_aside(collector_running):
    gc.unfreeze()
    with pytest.raises(ValueError), kept_apart():
        raise ValueError("the file is damaged")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_paused_collector_stays_paused(collector_running):
    gc.disable()
    with kept_apart():
        pass
    assert not gc.isenabled()
