"""The public-only fetch: address checks, allow-list, redirects, size limits, retries."""
from __future__ import annotations

import ipaddress

import pytest

from infra.config import Drive
from infra.drive import DriveClient, DriveConfig, DriveError, walk
from infra.fetch_public import (
    AllowList,
    FetchLimits,
    FetchRefused,
    HttpStatusError,
    TooLarge,
    check_url,
    fetch,
    refusal,
)
from tests.support.drive import FakeDrive

FAST = FetchLimits(retries=2, backoff=0.01, read_timeout=5, total_timeout=20)
LOCAL = AllowList.parse("127.0.0.1")


@pytest.fixture(scope="module")
def drive():
    server = FakeDrive().start()
    yield server
    server.stop()


@pytest.mark.parametrize("address, reason", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
    ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("169.254.169.254", "link-local/metadata"), ("fe80::1", "link-local/metadata"),
    ("fd00:ec2::254", "private"), ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "private"),
    ("224.0.0.1", "multicast"), ("100.64.0.1", "non-public"),
    ("8.8.8.8", None), ("2001:4860:4860::8888", None)])
def test_address_classes(address, reason):
    assert refusal(ipaddress.ip_address(address)) == reason


def test_allow_list_parsing():
    allow = AllowList.parse("127.0.0.1, 10.0.0.0/8")
    assert allow.permits(ipaddress.ip_address("127.0.0.1"))
    assert allow.permits(ipaddress.ip_address("10.9.9.9"))
    assert not allow.permits(ipaddress.ip_address("127.0.0.2"))
    assert AllowList.parse("loopback").permits(ipaddress.ip_address("::1"))
    assert not AllowList.parse("private").permits(ipaddress.ip_address("169.254.169.254"))
    assert not AllowList.parse("").permits(ipaddress.ip_address("127.0.0.1"))


async def test_loopback_and_metadata_refused_unless_allow_listed(drive, tmp_path):
    url = drive.serve("plain.csv", b"a,b\n1,2\n")
    with pytest.raises(FetchRefused, match="loopback"):
        await fetch(url, str(tmp_path / "x"), allow=AllowList(), limits=FAST)
    with pytest.raises(FetchRefused, match="loopback"):
        await check_url("http://localhost:9/x.csv", AllowList())
    with pytest.raises(FetchRefused, match="metadata"):
        await check_url("http://169.254.169.254/latest/meta-data/", LOCAL)
    with pytest.raises(FetchRefused, match="http"):
        await check_url("file:///etc/passwd", LOCAL)
    got = await fetch(url, str(tmp_path / "ok"), allow=LOCAL, limits=FAST)
    assert got.size == 8 and (tmp_path / "ok").read_bytes() == b"a,b\n1,2\n"


async def test_redirects_are_checked_hop_by_hop(drive, tmp_path):
    target = drive.serve("r.csv", b"x\n")
    ok = await fetch(f"{drive.origin}/redirect?to={target}", str(tmp_path / "a"), allow=LOCAL,
                     limits=FAST)
    assert ok.final_url == target
    for bad in ("http://169.254.169.254/latest/meta-data/",
                f"http://127.0.0.2:{drive.port}/plain/r.csv"):
        with pytest.raises(FetchRefused):
            await fetch(f"{drive.origin}/redirect?to={bad}", str(tmp_path / "b"), allow=LOCAL,
                        limits=FAST)


async def test_size_limit_and_http_errors(drive, tmp_path):
    url = drive.serve("big.csv", b"x" * 5000)
    small = FetchLimits(max_bytes=1000, retries=0)
    with pytest.raises(TooLarge):
        await fetch(url, str(tmp_path / "big"), allow=LOCAL, limits=small)
    with pytest.raises(HttpStatusError) as info:
        await fetch(f"{drive.origin}/plain/missing.csv", str(tmp_path / "m"), allow=LOCAL,
                    limits=FAST)
    assert info.value.status == 404


async def test_drive_client_pages_walks_and_retries(drive, tmp_path):
    root = drive.folder("root")
    sub = drive.folder("sub", parent=root)
    for i in range(5):
        drive.file(f"r{i}.csv", f"n,{i}\n".encode(), parent=root)
    deep = drive.file("deep.tsv", b"a\tb\n", parent=sub)
    config = DriveConfig(api_key="test-key", base_url=drive.api_url, page_size=2)
    async with DriveClient(config, LOCAL, FAST) as client:
        folder = await client.get(root)
        found, skipped = await walk(client, folder)
        assert sorted(p for p, _ in found) == ["r0.csv", "r1.csv", "r2.csv", "r3.csv", "r4.csv",
                                               "sub/deep.tsv"]
        assert skipped == []
        tokens = [q.get("pageToken") for path, q in drive.requests if path.endswith("/files")]
        assert len([t for t in tokens if t]) >= 2  # the root folder took three pages
        drive.flaky[deep] = 2
        item = await client.get(deep)
        got = await client.download(item, str(tmp_path / "d"), 1000)
        assert got.md5 == item.md5 and drive.flaky[deep] == 0


async def test_drive_errors_are_explained(drive):
    private = drive.file("secret.csv", b"x\n", public=False)
    async with DriveClient(DriveConfig("test-key", drive.api_url), LOCAL, FAST) as client:
        with pytest.raises(DriveError, match="Anyone with the link") as info:
            await client.get(private)
        assert info.value.code == "private"
    async with DriveClient(DriveConfig("wrong", drive.api_url), LOCAL, FAST) as client:
        with pytest.raises(DriveError) as info:
            await client.get(private)
        assert info.value.code == "bad_key"
    with pytest.raises(DriveError, match="TRIBUTARY_GOOGLE_API_KEY") as info:
        DriveClient(DriveConfig.of(Drive(api_key="")), LOCAL, FAST)
    assert info.value.code == "missing_key"
    assert DriveConfig.of(Drive.model_construct()).base_url == "https://www.googleapis.com/drive/v3"
