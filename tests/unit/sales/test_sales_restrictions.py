"""Every refusal ends in SalesFileError with the right cause."""
from __future__ import annotations

import pytest

from models.sales.clean import CleanOptions, clean_file
from models.sales.errors import SalesFileError

HEADER = "sale_period,dsp,territory,quantity,currency,revenue,isrc\n"


def cause(path, name=None, **opts) -> SalesFileError:
    with pytest.raises(SalesFileError) as exc:
        clean_file(str(path), name or path.name, CleanOptions(**opts), lambda b: None)
    return exc.value


@pytest.mark.parametrize("name,content", [
    ("report.pdf", b"%PDF-1.4 hello"),
    ("report.csv", b"%PDF-1.4\n1 0 obj"),
    ("report.csv", b"PK\x03\x04" + b"\x00" * 30),
    ("report.txt", b"\x89PNG\r\n\x1a\n...."),
    ("report", b"a,b\n1,2\n"),
])
def test_unsupported_type(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    assert cause(p).cause == "UNSUPPORTED_TYPE"


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"  \r\n\n\t\n"])
def test_empty(tmp_path, content):
    p = tmp_path / "empty.csv"
    p.write_bytes(content)
    assert cause(p).cause == "EMPTY"


@pytest.mark.parametrize("name,content", [
    ("nul.csv", HEADER.encode() + b"2025-06,Spotify,GB,1,GBP,1.0,\x00\x00\x01\x02\n"),
    ("utf16.csv", b"\xff\xfe" + "a,b\n".encode("utf-16-le") + b"\x00"),            # odd byte count
    ("utf16bad.csv", b"\xff\xfe" + "a,b\n".encode("utf-16-le") + b"\x00\xdc\x41\x00"),  # lone surrogate
    ("bom8.csv", b"\xef\xbb\xbf" + HEADER.encode() + b"2025-06,\xff\xfe\xfa,GB,1,GBP,1,\n"),
    ("noise.txt", bytes(range(1, 32)) * 20),
    ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 20),
    ("broken.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 50),
])
def test_corrupted(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content)
    assert cause(p).cause == "CORRUPTED"


def test_unknown_layout_names_header_and_closest(tmp_path):
    p = tmp_path / "mystery.csv"
    p.write_text("Month,Shop,Country,Units,Money\n2025-06,Spotify,GB,3,1.00\n")
    err = cause(p)
    assert err.cause == "UNKNOWN_LAYOUT"
    assert "Month" in err.message and "Money" in err.message
    assert "tributary-generic" in err.message and "missing" in err.message


def test_too_many_bad_rows(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(HEADER + "2025-06,Spotify,GB,1,GBP,x,\n" * 3 + "2025-06,Spotify,GB,1,GBP,1.0,GBXYZ2400001\n")
    err = cause(p)
    assert err.cause == "TOO_MANY_BAD_ROWS"
    assert "3 of 4" in err.message
    # the same file passes when the organisation tolerates it
    res = clean_file(str(p), p.name, CleanOptions(max_bad_share=0.8), lambda b: None)
    assert (res.rows, res.bad_rows) == (1, 3)
