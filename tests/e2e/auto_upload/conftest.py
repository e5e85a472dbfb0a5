"""Automatic-upload fixtures: a local Drive-compatible server, and a stack of our own whose
gateway and worker get the Drive settings (API key, base URL) and the loopback allow-list."""
from __future__ import annotations

import secrets

from tests.support.drive import drive_fixtures
from tests.support.orgs import api_fixture, org_fixture

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


drive, auto_stack = drive_fixtures("package", "auto_stack", TRIBUTARY_DRIVE_PAGE_SIZE="2")


auto_org = org_fixture("Auto Uploads", stack="auto_stack", scope="package")
other_auto_org = org_fixture("Someone Else", stack="auto_stack", scope="package")
auto_api = api_fixture("auto_org", stack="auto_stack")
other_auto_api = api_fixture("other_auto_org", stack="auto_stack")
