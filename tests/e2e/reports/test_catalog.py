"""Catalog imports over HTTP: upload → process → DONE with bad rows counted and sampled; search;
a second import replaces the version atomically; another organisation sees nothing."""
from __future__ import annotations

from tests.e2e.reports.conftest import import_catalog
from tests.support.http import Api, put_bytes
from tests.support.stack import cli
from tests.support.xlsx import write_xlsx

FIRST = ("ISRC,UPC,Release Title,Track Title,Artist,Label,Genre\n"
         "US-RC1-76-07839,012345678905,Lanterns,North Light,Aurora Vale,Vale Records,Pop\n"
         "not-an-isrc,,Broken,Broken,Nobody,,\n"
         "GBAYE0601498,012345678905,Lanterns,South Wind,Aurora Vale,Vale Records,Pop\n").encode()


async def test_import_search_and_replace_atomically(lapi, other_api, tmp_path):
    first = await import_catalog(lapi, "catalog.csv", FIRST)
    assert first["status"] == "DONE", first
    assert first["rows"] == 2 and first["bad_rows"] == 1
    assert first["bad_samples"] == [{"line": 3, "reason": "invalid ISRC 'not-an-isrc'"}]
    assert [h["status"] for h in first["history"]] == ["UPLOADING", "UPLOADED", "PROCESSING",
                                                       "DONE"]
    status, found, _ = await lapi.get("/api/catalog/?isrc=usrc17607839")
    assert status == 200 and found["version"] == first["version"] and found["count"] == 1
    row = found["results"][0]
    assert row["track_title"] == "North Light" and row["extra"] == {"Genre": "Pop"}
    _, by_upc, _ = await lapi.get("/api/catalog/?upc=0012345678905&page_size=1")
    assert by_upc["count"] == 2 and len(by_upc["results"]) == 1  # EAN-13 spelling, paginated
    _, by_artist, _ = await lapi.get("/api/catalog/?artist=aurora&title=south")
    assert [r["isrc"] for r in by_artist["results"]] == ["GBAYE0601498"]

    path = tmp_path / "catalog.xlsx"
    write_xlsx(path, {"Releases": [["UPC", "ISRC", "Track", "Artist"],
                                   [5099902894225, "FRZ039800212", "Canción", "José Ñúñez"]]})
    second = await import_catalog(lapi, "catalog.xlsx", path.read_bytes())
    assert second["status"] == "DONE" and second["version"] == first["version"] + 1
    assert second["replaced_version"] == first["version"]
    _, now, _ = await lapi.get("/api/catalog/")
    assert now["version"] == second["version"] and now["count"] == 1
    assert now["results"][0]["artist"] == "José Ñúñez"
    _, gone, _ = await lapi.get("/api/catalog/?isrc=USRC17607839")
    assert gone["count"] == 0

    status, _, _ = await other_api.get(f"/api/catalog/imports/{second['id']}")
    assert status == 404
    _, theirs, _ = await other_api.get("/api/catalog/")
    assert theirs["version"] != second["version"] or theirs["results"] != now["results"]


async def test_failed_import_keeps_the_current_version(lapi):
    _, before, _ = await lapi.get("/api/catalog/")
    failed = await import_catalog(lapi, "nothing.csv", b"colour,shape\nred,round\n")
    assert failed["status"] == "FAILED" and failed["status_cause"] == "UNKNOWN_LAYOUT"
    _, after, _ = await lapi.get("/api/catalog/")
    assert after["version"] == before["version"]


async def test_process_before_upload_is_409_and_bad_names_400(lapi):
    status, body, _ = await lapi.post("/api/catalog/imports/", json={"filename": "cat.pdf"})
    assert status == 400 and "filename" in {e["field"] for e in body["errors"]}
    status, body, _ = await lapi.post("/api/catalog/imports/", json={"filename": "c.csv",
                                                                    "filesize": 10})
    status, err, _ = await lapi.post(f"/api/catalog/imports/{body['id']}/process/")
    assert status == 409
    assert await put_bytes(body["presigned_url"], b"x" * 11) == 413  # past the declared size
    assert await put_bytes(body["presigned_url"], b"isrc\n") in (200, 201, 204)
    status, err, _ = await lapi.post(f"/api/catalog/imports/{body['id']}/process/")
    assert status == 409 and "10" in err["detail"]  # size differs from the declared filesize


async def test_an_organisation_without_a_catalog_gets_an_empty_page(stack):
    fresh = Api(stack.url, cli(stack.data_dir, "org", "create", "No Catalog Yet")["token"])
    status, body, _ = await fresh.get("/api/catalog/?page=2&page_size=5")
    assert status == 200 and body == {"version": None, "import_id": None, "switched_at": None,
                                      "catalog_rows": 0, "count": 0, "page": 2, "page_size": 5,
                                      "results": []}
