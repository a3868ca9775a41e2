"""The token bucket that paces sends per group, on real Redis and in memory."""

import itertools
import threading
import time
import uuid

import pytest

from secretary import pacing


@pytest.fixture(params=["redis", "memory"])
def backend(request, settings):
    if request.param == "memory":
        settings.REDIS_URL = None
    return request.param


def key() -> str:
    return f"test:{uuid.uuid4().hex}"


def test_a_burst_beyond_the_limit_waits_for_tokens_to_come_back(backend):
    bucket = key()

    asked = [(time.monotonic(), pacing.pace(bucket, limit=5, period=2.0)) for _ in range(7)]
    waits = [wait for _, wait in asked]

    assert waits[:5] == pytest.approx([0.0] * 5, abs=0.05)
    # A token comes back a period after it was spent: the 6th and 7th wait about 2 s.
    assert waits[5] == pytest.approx(2.0, abs=0.2)
    assert waits[6] == pytest.approx(2.0, abs=0.2)
    moments = [at + wait for at, wait in asked]
    # In the order they asked (give or take the clocks' reading, a few milliseconds).
    assert all(later >= earlier - 0.005 for earlier, later in itertools.pairwise(moments))


def test_no_period_ever_holds_more_than_the_limit(backend):
    bucket = key()
    started = time.monotonic()

    moments = [started + pacing.pace(bucket, limit=3, period=1.0) for _ in range(10)]

    for first in moments:
        in_window = [moment for moment in moments if first <= moment < first + 1.0 - 0.02]
        assert len(in_window) <= 3
    assert moments[-1] - started == pytest.approx(3.0, abs=0.3)  # 10 sends, 3 a second


def test_a_post_of_several_messages_takes_as_many_tokens(backend):
    bucket = key()

    assert pacing.pace(bucket, count=4, limit=5, period=2.0) == pytest.approx(0, abs=0.05)
    assert pacing.pace(bucket, count=2, limit=5, period=2.0) == pytest.approx(2.0, abs=0.2)
    # More messages than the limit still go (as one burst of the limit), after the others.
    assert pacing.pace(bucket, count=9, limit=5, period=2.0) >= 2.0


def test_tokens_come_back_once_the_period_is_over(backend):
    bucket = key()
    for _ in range(3):
        pacing.pace(bucket, limit=3, period=0.3)

    time.sleep(0.35)

    assert pacing.pace(bucket, limit=3, period=0.3) == pytest.approx(0, abs=0.05)


def test_workers_share_one_bucket():
    """Threads stand in for worker processes: the bucket is Redis's, not theirs."""
    bucket = key()
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            wait = pacing.pace(bucket, limit=10, period=5.0)
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(1 for wait in waits if wait < 0.5) == 10
    assert sum(1 for wait in waits if wait > 4.0) == 10


def test_redis_down_does_not_hold_a_send_back(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    assert pacing.pace(key(), limit=1, period=60.0) == 0.0
    assert pacing.pace(key(), limit=1, period=60.0) == 0.0


def test_groups_have_buckets_of_their_own(settings):
    settings.TELEGRAM_GROUP_RATE = 2
    chat = -100_000_000 - int(uuid.uuid4().int % 1_000_000)

    waits = [pacing.group_pace(chat) for _ in range(3)]

    assert waits[2] == pytest.approx(60.0 + pacing.MARGIN_SECONDS, abs=0.5)
    assert pacing.group_pace(chat - 1) == pytest.approx(0, abs=0.05)
