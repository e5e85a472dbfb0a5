"""Catalog imports for the agent tests, through the real catalog handlers."""
from __future__ import annotations

from tests.support.harness import Harness

CATALOG = "catalog.commands"
# the track of tests/fixtures/sales/generic.tsv (both rows) and one that sold nothing
CSV = (b"ISRC,UPC,Album,Song Title,Artist Name,Record Label\n"
       b"QZ-ABC-25-00012,,Songs,Third Song,Nobody Known,Harness Rec\n"
       b"USRC17607839,012345678905,Lanterns,North Light,Aurora,Vale Rec\n")


async def imported(h: Harness, org: str, import_id: int, data: bytes = CSV,
                   filename: str = "catalog.csv") -> None:
    key = f"catalog-uploads/{org}/{import_id}/original.csv"
    await h.send(CATALOG, import_id, "CreateCatalogImport", {
        "import_id": import_id, "organisation": org, "filename": filename, "filetype": "CSV",
        "filesize": len(data), "object_key": key})
    await h.put(key, data)
    await h.send(CATALOG, import_id, "ProcessCatalogImport", {"import_id": import_id})
