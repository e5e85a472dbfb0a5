"""DuckDB reading the object store where it is: a local directory's files, or S3 objects
through DuckDB's httpfs extension with the store URL's endpoint, region and credentials.

One in-memory database per process and store URL; each query runs on its own cursor in a worker
thread, so the event loop never waits on DuckDB. The httpfs extension comes from the
`duckdb-extension-httpfs` package (DuckDB checks its signature on LOAD); nothing is downloaded
at run time."""
from __future__ import annotations

import os
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from models.analytics.query import literal

_LOCK = threading.Lock()
_DATABASES: dict[str, object] = {}


def _httpfs_path() -> str:
    import duckdb
    import duckdb_extension_httpfs

    folder = Path(duckdb_extension_httpfs.__file__).parent / "extensions"
    wanted = folder / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    found = wanted if wanted.exists() else next(folder.glob("*/httpfs.duckdb_extension"), wanted)
    return str(found)


def s3_secret(query: dict[str, str]) -> str:
    """CREATE SECRET for the store URL's S3 settings (see infra/storage/README.md)."""
    parts = [f"TYPE s3, REGION {literal(query.get('region', 'us-east-1'))}"]
    key = query.get("access_key") or os.environ.get("AWS_ACCESS_KEY_ID")
    secret = query.get("secret_key") or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if key and secret:
        parts.append(f"KEY_ID {literal(key)}, SECRET {literal(secret)}")
    if query.get("endpoint"):
        endpoint = urlsplit(query["endpoint"])
        parts.append(f"ENDPOINT {literal(endpoint.netloc)}, URL_STYLE 'path', "
                     f"USE_SSL {'true' if endpoint.scheme == 'https' else 'false'}")
    return f"CREATE OR REPLACE SECRET store ({', '.join(parts)})"


class Location:
    """Where DuckDB finds an object of the store a URL names."""

    def __init__(self, storage_url: str) -> None:
        parts = urlsplit(storage_url)
        self.url = storage_url
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if parts.scheme == "file":
            self.prefix = str(Path(unquote(parts.path)).resolve()) + os.sep
        elif parts.scheme == "s3":
            self.prefix = f"s3://{parts.netloc}/"
        else:
            raise ValueError(f"analytics cannot read a {parts.scheme!r} store")
        self.s3 = parts.scheme == "s3"

    def path(self, key: str) -> str:
        return self.prefix + key

    def database(self):
        """The process's DuckDB database for this store (created once)."""
        import duckdb

        with _LOCK:
            if self.url not in _DATABASES:
                con = duckdb.connect(":memory:")
                if self.s3:
                    con.execute(f"LOAD {literal(_httpfs_path())}")
                    con.execute(s3_secret(self.query))
                _DATABASES[self.url] = con
            return _DATABASES[self.url]

    def cursor(self):
        """A connection of its own to the store's database, for one thread (DuckDB connections
        are not thread-safe; making one from the shared parent is serialised here)."""
        database = self.database()
        with _LOCK:
            return database.cursor()
