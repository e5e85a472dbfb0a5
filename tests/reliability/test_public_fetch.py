"""Links given for import or Drive pulls are fetched only from public addresses, redirects
included; the allow-list setting (TRIBUTARY_FETCH_ALLOW) lets tests use loopback servers.

infra/fetch_public.py (automatic upload, Drive) is covered hop by hop in
tests/unit/test_fetch_public.py; here: address spellings that dodge naive checks, and redirect
chains through a local redirecting server. infra/fetch.py (GTIN import links) must hold to the
same rule."""
from __future__ import annotations

import pytest

from infra import fetch as gtin_fetch
from infra.config import Fetch
from infra.fetch_public import AllowList, FetchLimits, FetchRefused, check_url, fetch
from tests.reliability.conftest import record
from tests.support.drive import FakeDrive

FAST = FetchLimits(retries=0, connect_timeout=2, read_timeout=2, total_timeout=5)
LOCAL = AllowList.parse("127.0.0.1")
SNEAKY = ["http://127.1/x", "http://2130706433/x", "http://0x7f000001/x", "http://[::1]/x",
          "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x",
          "http://10.1.2.3/x", "http://192.168.0.1/x", "http://172.16.0.1/x",
          "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/x", "http://100.64.0.1/x",
          "ftp://example.com/x", "file:///etc/passwd", "gopher://127.0.0.1/x"]


@pytest.fixture(scope="module")
def server():
    drive = FakeDrive(api_key="k").start()
    yield drive
    drive.stop()


@pytest.mark.parametrize("url", SNEAKY)
async def test_non_public_spellings_are_refused(url):
    with pytest.raises(FetchRefused):
        await check_url(url, AllowList())


async def test_redirect_chains_to_non_public_addresses_are_refused(server, tmp_path):
    target = server.serve("ok.csv", b"a,b\n1,2\n")
    hop = f"{server.origin}/redirect?to={server.origin}/redirect?to={target}"
    got = await fetch(hop, str(tmp_path / "ok"), allow=LOCAL, limits=FAST)
    assert got.size == 8
    for bad in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/x",
                f"http://[::1]:{server.port}/plain/ok.csv", f"http://127.0.0.2:{server.port}/x"):
        with pytest.raises(FetchRefused):
            await fetch(f"{server.origin}/redirect?to={bad}", str(tmp_path / "bad"), allow=LOCAL,
                        limits=FAST)
    record("fetch", "fetch_public", f"{len(SNEAKY)} address spellings and 4 redirect targets "
           "refused; allow-listed loopback fetched")


async def test_gtin_import_links_are_fetched_only_from_public_addresses(server):
    """DEFECT (reported to the lead): infra/fetch.py downloads any http(s) link, loopback and
    private addresses included, and follows redirects unchecked. It should resolve and check every
    hop as infra/fetch_public.py does (FetchRefused → a 4xx 'refused_address')."""
    default = Fetch(allow="")  # no allow-list, as a new user runs
    link = server.serve("gtins.csv", b"gtin,name\n4000000000017,x\n")
    with pytest.raises(gtin_fetch.FetchError) as refused:
        await gtin_fetch.fetch_head(link, 1024, default)
    assert 400 <= refused.value.status < 500
    with pytest.raises(gtin_fetch.FetchError):
        await gtin_fetch.fetch_head(f"{server.origin}/redirect?to=http://169.254.169.254/x", 1024,
                                        default)
