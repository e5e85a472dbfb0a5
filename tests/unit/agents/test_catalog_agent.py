"""agents/catalog.py: catalog imports, without a broker."""
from __future__ import annotations

import pyarrow.parquet as pq

from infra.repos import catalog as repo
from tests.unit.agents.catalogs import CATALOG, CSV, imported


def statuses(h, import_id: int) -> list[str]:
    return h.statuses("import_id", import_id, "CatalogImportStatusChanged")


async def test_an_import_becomes_the_current_catalog(h):
    org = await h.org()
    await imported(h, org, 801)
    assert statuses(h, 801) == ["UPLOADING", "UPLOADED", "PROCESSING", "DONE"]
    done = h.last("CatalogImportStatusChanged")["fields"]
    assert (done["version"], done["rows"], done["bad_rows"], done["replaced_version"]) == (
        1, 2, 0, None)
    current = await repo.current(h.db, org)
    assert (current["version"], current["object_key"]) == (1, repo.version_key(org, 1))
    await (await h.store()).download(current["object_key"], str(h.root / "c.parquet"))
    rows = pq.read_table(h.root / "c.parquet").to_pylist()
    assert [r["isrc"] for r in rows] == ["QZABC2500012", "USRC17607839"]
    assert rows[1]["upc"] == "012345678905"
    assert (await repo.get_import(h.db, 801))["status"] == "DONE"


async def test_a_second_import_replaces_the_first(h):
    org = await h.org()
    await imported(h, org, 802)
    await imported(h, org, 803, CSV.splitlines(keepends=True)[0] + CSV.splitlines(keepends=True)[1])
    done = h.last("CatalogImportStatusChanged")
    assert (done["import_id"], done["fields"]["version"], done["fields"]["replaced_version"]) == (
        803, 2, 1)
    assert (await repo.current(h.db, org))["rows"] == 1


async def test_unknown_organisation_and_unknown_import_are_rejected(h):
    await h.send(CATALOG, 804, "CreateCatalogImport", {
        "import_id": 804, "organisation": "org-404", "filename": "c.csv"})
    assert h.last("CatalogImportRejected") == {
        "import_id": 804, "command": "CreateCatalogImport",
        "reason": "unknown organisation 'org-404'"}
    await h.send(CATALOG, 805, "ProcessCatalogImport", {"import_id": 805})
    assert h.last("CatalogImportRejected")["reason"] == "no catalog import 805"
    assert await h.db.catalog_imports.count_documents({}) == 0


async def test_process_before_the_upload_fails_not_uploaded(h):
    org = await h.org()
    await h.send(CATALOG, 806, "CreateCatalogImport", {
        "import_id": 806, "organisation": org, "filename": "c.csv", "object_key": "nowhere/c.csv"})
    await h.send(CATALOG, 806, "ProcessCatalogImport", {"import_id": 806})
    failed = h.last("CatalogImportStatusChanged")
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "NOT_UPLOADED")
    assert await repo.current(h.db, org) is None


async def test_no_valid_identifier_leaves_the_catalog_unchanged(h):
    org = await h.org()
    await imported(h, org, 807, b"ISRC,Song Title\nnot-an-isrc,Nothing\n")
    failed = h.last("CatalogImportStatusChanged")
    assert (failed["status"], failed["status_cause"]) == ("FAILED", "NO_VALID_ROWS")
    assert failed["fields"]["bad_rows"] == 1
    assert await repo.current(h.db, org) is None


async def test_the_status_table_folds_the_events(h):
    org = await h.org()
    await imported(h, org, 808)
    await h.settle()
    assert h.table("catalog_imports")["808"]["status"] == "DONE"


async def test_an_import_left_processing_is_processed_again(h):
    org = await h.org()
    await imported(h, org, 809)
    await h.db.catalog_imports.update_one({"_id": 809}, {"$set": {
        "status": "PROCESSING", "updated_at": "2020-01-01T00:00:00"}})
    h.clear()
    await h.tick("catalog.reissue_stale_catalog_imports")
    assert [(s.topic, s.key, s.type) for s in h.sent] == [
        (CATALOG, "809", "ProcessCatalogImport")]
    await h.settle()
    assert h.last("CatalogImportStatusChanged")["fields"]["version"] == 2


async def test_a_create_without_a_filename_is_dead_lettered(h):
    org = await h.org()
    await h.send(CATALOG, 810, "CreateCatalogImport", {"import_id": 810, "organisation": org},
                 check=False)
    [letter] = h.dead_letters
    assert [e["field"] for e in letter["errors"]] == ["filename"]
    assert await h.db.catalog_imports.count_documents({}) == 0
