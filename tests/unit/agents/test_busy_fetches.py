"""agents/busy_fetches.py: while a worker reads a sales file its consumers fetch with the longer
wait, and the short wait is back when no read is left (several files may be read at once)."""
from __future__ import annotations

import pytest

from agents import busy_fetches, faust_tuning
from agents.busy_fetches import BusyFetches
from tests.unit.agents.sales_files import SALES, uploaded

CLEAN = "sales.cleaning.commands"


class _Fetcher:
    """Records each wait set on it, as aiokafka's Fetcher would read it for its next fetch."""

    def __init__(self) -> None:
        self.waits: list[int] = []

    @property
    def _fetch_max_wait_ms(self) -> int:
        return self.waits[-1]

    @_fetch_max_wait_ms.setter
    def _fetch_max_wait_ms(self, ms: int) -> None:
        self.waits.append(ms)


class _Consumer:
    def __init__(self) -> None:
        self._fetcher = _Fetcher()


@pytest.fixture
def consumer():
    before = (faust_tuning.fetch_wait_ms(), faust_tuning.busy_wait_ms())
    faust_tuning.apply(50, 200)
    found = _Consumer()
    faust_tuning._ShortWaitConsumer.live.add(found)
    yield found
    faust_tuning._ShortWaitConsumer.live.discard(found)
    faust_tuning.apply(*before)
    assert busy_fetches._held == 0


def test_the_short_wait_is_back_when_the_last_read_is_done(consumer):
    first, second = BusyFetches(), BusyFetches()
    with first:
        assert consumer._fetcher.waits == [200]
        with second:
            assert consumer._fetcher.waits == [200]       # already long: not set again
        first.release()                                  # the read is done before the thread
        assert consumer._fetcher.waits == [200, 50]
    first.release()                                      # released once only
    assert consumer._fetcher.waits == [200, 50] and busy_fetches._held == 0


def test_a_busy_wait_no_longer_than_the_short_one_changes_nothing(consumer):
    faust_tuning.apply(50, 20)
    with BusyFetches():
        assert consumer._fetcher.waits == [50]
    assert consumer._fetcher.waits == [50, 50]


async def test_a_cleaning_fetches_slowly_while_it_reads(h, consumer):
    org = await h.org()
    await uploaded(h, org, 681, SALES / "layouts" / "bandcamp-sales.csv")
    sent = await h.send(CLEAN, 681, "CleanSalesFile", {"file_id": 681, "attempt": 1})
    assert [s.payload["status"] for s in sent if s.type == "SalesFileStatusChanged"] == \
        ["CLEANING", "CLEANED"]
    assert consumer._fetcher.waits == [200, 50]
