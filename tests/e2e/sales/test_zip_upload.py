"""A `.zip` uploaded by hand through the presigned URL: expanded under the archive safety limits,
each sales member imported as a file of its own (here: a built-in layout and an inferred one), the
other members listed with the reason they were not imported."""
from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from tests.support.http import Api
from tests.support.sales import ingest, wait_terminal, zip_bytes
from tests.support.stack import cli

LAYOUTS = Path(__file__).resolve().parents[2] / "fixtures" / "sales" / "layouts"
GENERIC = ("reporting_period,dsp,territory,isrc,artist,track_title,quantity,net_revenue,currency\n"
           "2025-06,Spotify,GB,GBXYZ2400001,Nord,Zuid,3,0.000123,GBP\n"
           "2025-06,Deezer,FR,GBXYZ2400002,Nord,Noord,1,2.5,GBP\n")


async def test_zip_members_import_as_files(stack):
    # an organisation of its own: test_layouts imports the same DistroKid statement (a DUPLICATE)
    api = Api(stack.url, cli(stack.data_dir, "org", "create", "Zip Label")["token"])
    inner = zip_bytes({"x.csv": b"a,b\n1,2\n"})
    data = zip_bytes({"statements/distrokid.tsv": (LAYOUTS / "distrokid-excruciating.tsv").read_bytes(),
                 "statements/label-june.csv": GENERIC.encode(),
                 "statements/cover.pdf": b"%PDF-1.4 not a report",
                 "old.zip": inner,
                 "__MACOSX/._label-june.csv": b"junk"})
    done = await ingest(api, "june-statements.zip", data, filetype="ZIP")
    assert done["status"] == "FINALIZED" and done["layout"] == "zip", done
    files = {f["path"]: f for f in done["archive"]["files"]}
    assert set(files) == {"june-statements.zip/statements/distrokid.tsv", "june-statements.zip/statements/label-june.csv"}
    skipped = {s["path"]: s["reason"] for s in done["archive"]["skipped"]}
    assert set(skipped) == {"june-statements.zip/statements/cover.pdf", "june-statements.zip/old.zip"}
    assert "nested zip" in skipped["june-statements.zip/old.zip"]
    assert skipped["june-statements.zip/statements/cover.pdf"]

    kid = await wait_terminal(api, files["june-statements.zip/statements/distrokid.tsv"]["id"])
    assert kid["status"] == "FINALIZED" and kid["layout"] == "distrokid", kid
    assert D(kid["total_local"]) == D("3.12345678") + D("0.28000001") + D("6.93") + D("0.00412345")
    label = await wait_terminal(api, files["june-statements.zip/statements/label-june.csv"]["id"])
    assert label["status"] == "FINALIZED" and label["layout"] == "inferred", label
    assert D(label["total_local"]) == D("0.000123") + D("2.5") and label["filename"] == "label-june.csv"


async def test_zip_bomb_and_empty_zip_are_refused(api):
    bomb = zip_bytes({"huge.csv": b"0" * (50 * 1024 * 1024)})            # 50 MiB of zeros: ratio far above 200
    failed = await ingest(api, "bomb.zip", bomb, filetype="ZIP")
    assert failed["status"] == "FAILED" and failed["status_cause"] == "CORRUPTED", failed
    assert "zip bomb" in failed["error_message"]
    only_pdf = await ingest(api, "docs.zip", zip_bytes({"a.pdf": b"%PDF-1.4"}), filetype="ZIP")
    assert only_pdf["status"] == "FAILED" and only_pdf["status_cause"] == "UNSUPPORTED_TYPE", only_pdf
    assert "a.pdf" in only_pdf["error_message"] and only_pdf["archive"]["skipped"]
