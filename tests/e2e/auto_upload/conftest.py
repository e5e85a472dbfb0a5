"""Automatic-upload fixtures: a local Drive-compatible server, and a stack of our own whose
gateway and worker get the Drive settings (API key, base URL) and the loopback allow-list."""
from __future__ import annotations

import secrets

import pytest

from tests.support.drive import FakeDrive
from tests.support.http import Api
from tests.support.stack import RunningStack, cli

HEADER = ("statement_period,sale_period,dsp,territory,isrc,upc,artist,track_title,release_title,"
          "usage_type,quantity,currency,revenue\n")


def report(tag: str, sep: str = ",") -> bytes:
    """A small generic-layout sales report whose content is unique to `tag` (the pipeline
    refuses the same content twice for one organisation)."""
    rows = [f"2025-06,2025-05,Spotify,US,USRC17607839,0602537174937,Aurora Vale,Song {tag},"
            f"Lanterns,stream,{100 + len(tag)},USD,1.2500001",
            f"2025-06,2025-05,Deezer,FR,GBAYE0601498,0602537174937,Aurora Vale,Other {tag},"
            "Lanterns,stream,7,USD,0.0300002"]
    text = HEADER + "\n".join(rows) + "\n"
    return text.replace(",", sep).encode()


def tag() -> str:
    return secrets.token_hex(4)


@pytest.fixture(scope="package")
def drive():
    server = FakeDrive(api_key="test-key").start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def auto_stack(tmp_path_factory, drive):
    running = RunningStack(tmp_path_factory.mktemp("auto_stack"), env={
        "TRIBUTARY_GOOGLE_API_KEY": "test-key", "TRIBUTARY_DRIVE_API_URL": drive.api_url,
        "TRIBUTARY_FETCH_ALLOW": "127.0.0.1", "TRIBUTARY_DRIVE_PAGE_SIZE": "2",
        "TRIBUTARY_FETCH_BACKOFF": "0.05"}).start()
    yield running
    running.stop()


@pytest.fixture(scope="package")
def auto_org(auto_stack):
    return cli(auto_stack.data_dir, "org", "create", "Auto Uploads")


@pytest.fixture
def auto_api(auto_stack, auto_org) -> Api:
    return Api(auto_stack.url, auto_org["token"])


@pytest.fixture(scope="package")
def other_auto_org(auto_stack):
    return cli(auto_stack.data_dir, "org", "create", "Someone Else")


@pytest.fixture
def other_auto_api(auto_stack, other_auto_org) -> Api:
    return Api(auto_stack.url, other_auto_org["token"])
