"""open_store URL parsing (no I/O: stores are built, not started)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.storage import LocalStore, S3Store, open_store


def test_file_url_builds_local_store(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/objs", public_base_url="http://127.0.0.1:8080", secret="s")
    assert isinstance(store, LocalStore)
    assert store.root == (tmp_path / "objs").resolve()
    assert store.public_base_url == "http://127.0.0.1:8080"
    assert isinstance(open_store("file://localhost/tmp/x%20y", secret="s"), LocalStore)
    assert open_store("file://localhost/tmp/x%20y", secret="s").root == Path("/tmp/x y")  # type: ignore[attr-defined]


def test_s3_url_builds_s3_store() -> None:
    store = open_store("s3://my-bucket?endpoint=http://127.0.0.1:9000&region=eu-west-1"
                       "&public_endpoint=https://files.example&part_size_mb=16&create_bucket=false",
                       public_base_url="http://ignored", secret="")
    assert isinstance(store, S3Store)
    assert (store.bucket, store.region) == ("my-bucket", "eu-west-1")
    assert store.endpoint_url == "http://127.0.0.1:9000"
    assert store.public_endpoint_url == "https://files.example"
    assert store.part_size == 16 * 1024 * 1024 and store.create_bucket is False
    defaults = open_store("s3://b-default", secret="")
    assert isinstance(defaults, S3Store)
    assert (defaults.endpoint_url, defaults.region, defaults.create_bucket) == (None, "us-east-1", True)


@pytest.mark.parametrize("url", [
    "file://relative/dir", "file:///abs?x=1", "s3://", "s3://bucket/some/path",
    "s3://bucket?endpont=http://typo", "gs://bucket", "/plain/path",
    "s3://bucket?part_size_mb=1",
])
def test_bad_urls_are_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        open_store(url, secret="s")
