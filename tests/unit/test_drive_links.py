"""Share-link parsing and file classification for automatic uploads."""
from __future__ import annotations

import pytest

from models.drive_links import (
    DIRECT_ZIP,
    LinkError,
    classify,
    filetype,
    http_filename,
    parse_link,
    redact,
    safe_filename,
)

ID = "1AbC-dEf_GhIjKlMnOpQrStUv"


@pytest.mark.parametrize("url, kind", [
    (f"https://drive.google.com/file/d/{ID}/view?usp=sharing", "drive_file"),
    (f"https://drive.google.com/file/d/{ID}/edit", "drive_file"),
    (f"https://drive.google.com/file/u/1/d/{ID}/view", "drive_file"),
    (f"https://drive.google.com/open?id={ID}", "drive_item"),
    (f"https://drive.google.com/uc?id={ID}&export=download", "drive_item"),
    (f"https://drive.google.com/drive/folders/{ID}?usp=sharing", "drive_folder"),
    (f"https://drive.google.com/drive/u/0/folders/{ID}", "drive_folder"),
    (f"https://drive.google.com/drive/mobile/folders/{ID}", "drive_folder"),
    (f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0", "drive_file"),
])
def test_drive_share_links_give_the_id(url, kind):
    link = parse_link(url)
    assert (link.kind, link.id, link.is_drive) == (kind, ID, True)


def test_resource_key_is_kept():
    link = parse_link(f"https://drive.google.com/drive/folders/{ID}?resourcekey=0-abcDEF")
    assert link.resource_key == "0-abcDEF"


def test_plain_urls_and_refusals():
    link = parse_link("https://bucket.s3.amazonaws.com/r/june.csv?X-Amz-Signature=abc")
    assert link.kind == "http" and not link.is_drive and link.id is None
    with pytest.raises(LinkError, match="zip archive is not supported"):
        parse_link("https://example.com/exports/bundle.ZIP?sig=1")
    for bad in ("", None, 42, "ftp://example.com/a.csv", "file:///etc/passwd", "not a url",
                "https://user:pw@example.com/a.csv"):
        with pytest.raises(LinkError):
            parse_link(bad)
    with pytest.raises(LinkError, match="names no file or folder"):
        parse_link("https://drive.google.com/drive/my-drive")


def test_classify_by_extension_and_mime():
    assert classify("june.CSV") == ("file", "CSV")
    assert classify("Sales Report", "text/tab-separated-values") == ("file", "TSV")
    assert classify("q2.xlsx", "application/octet-stream") == ("file", "XLSX")
    assert classify("sub", "application/vnd.google-apps.folder") == ("folder", "")
    assert classify("bundle.zip") == ("archive", "ZIP")
    assert classify("bundle", "application/zip") == ("archive", "ZIP")
    kind, reason = classify("notes.pdf", "application/pdf")
    assert kind == "skip" and ".pdf" in reason and "CSV" in reason
    kind, reason = classify("Sheet", "application/vnd.google-apps.spreadsheet")
    assert kind == "skip" and "Download" in reason
    assert filetype("data.json", "text/csv") is None  # a known other extension wins


def test_filenames():
    assert http_filename("https://h/x/june%20report.csv?sig=1") == "june report.csv"
    assert http_filename("https://h/download", 'attachment; filename="q2.tsv"') == "q2.tsv"
    assert http_filename("https://h/d", "attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.csv") \
        == "résumé.csv"
    assert safe_filename("a/b\\c.csv") == "a_b_c.csv"
    long = safe_filename("x" * 300 + ".xlsx")
    assert len(long) == 255 and long.endswith(".xlsx")
    assert redact("https://h/a.csv?X-Amz-Signature=secret") == "https://h/a.csv"
    assert "shared folder" in DIRECT_ZIP
