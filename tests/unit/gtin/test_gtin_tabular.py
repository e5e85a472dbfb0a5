import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.gtin import BadLine, FileRecords, GtinError, preview, tabular


def test_preview_quoted_newlines_bom_crlf(fixtures):
    data = (fixtures / "retailer_semicolon.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    out = preview(data, ";", True, 10)
    assert out["header"][0] == "sku"  # BOM stripped
    assert out["header"][2] == "UGC_ean"
    assert len(out["records"]) == 4 and out["bad_lines"] == []
    assert out["records"][0]["UGC_libEcommerce"] == "Bière blonde d'Abbaye ; 6,5°, 75cl"
    assert out["records"][1]["UGC_libEcommerce"] == "Cidre doux\r\nbrut ; 4,5°"
    assert out["records"][2]["ALK_valNutritionnelles"] == ""  # CRLF not left in the last field


def test_preview_num_lines_and_no_header():
    out = preview(b"a,b,c\n1,2\n3,4,5,6\n7\n", ",", False, 3)
    assert out["header"] == ["1", "2", "3", "4"]
    assert out["records"] == [{"1": "a", "2": "b", "3": "c"}, {"1": "1", "2": "2"},
                              {"1": "3", "2": "4", "3": "5", "4": "6"}]


def test_preview_bad_lines_reported_with_line_numbers():
    data = b'g,n\n1,"ok, quoted"\n2,"bad"x\n3\n\n4,"multi\nline"\n5,fine\n'
    out = preview(data, ",", True, 10)
    assert out["records"] == [{"g": "1", "n": "ok, quoted"}, {"g": "4", "n": "multi\nline"}, {"g": "5", "n": "fine"}]
    assert [b["line"] for b in out["bad_lines"]] == [3, 4]
    assert all(b["reason"].startswith("syntax") for b in out["bad_lines"])


def test_an_unclosed_quote_never_swallows_the_lines_after_it():
    """Issue 17: an unclosed quote on line 7 of 20 lost lines 8-20; now only line 7 is bad."""
    lines = ["gtin,name"] + [f"{n},item {n}" for n in range(2, 21)]
    lines[6] = '7,"unclosed'
    out = preview(("\n".join(lines) + "\n").encode(), ",", True, 100)
    assert [r["gtin"] for r in out["records"]] == [str(n) for n in range(2, 21) if n != 7]
    assert out["bad_lines"] == [{"line": 7, "reason": "syntax: unclosed quote: the quoted field never ends"}]


def test_a_quote_closed_lines_later_is_one_bad_record_then_reading_resyncs():
    out = preview(b'g,n\n1,"open\n2,x\n3,"y"\n4,z\n', ",", True, 10)
    assert out["records"] == [{"g": "2", "n": "x"}, {"g": "3", "n": "y"}, {"g": "4", "n": "z"}]
    assert [b["line"] for b in out["bad_lines"]] == [2]
    out = preview(b'g,n\n1,"a\nb",extra\n2,x\n', ",", True, 10)  # 3 cells over 2 lines
    assert [b["line"] for b in out["bad_lines"]] == [2]  # line 3 is read again, on its own
    assert out["records"] == [{"g": 'b"', "n": "extra"}, {"g": "2", "n": "x"}]


def test_a_runaway_quote_is_cut_at_max_line_bytes(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_LINE_BYTES", 40)
    body = "".join(f"{n},item {n}\n" for n in range(3, 30))
    out = preview(('g,n\n2,"open\n' + body).encode(), ",", True, 100)
    assert [r["g"] for r in out["records"]] == [str(n) for n in range(3, 30)]
    assert out["bad_lines"][0]["line"] == 2 and "unclosed" in out["bad_lines"][0]["reason"]


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_allowed_delimiters(delimiter):
    data = f"a{delimiter}b\n1{delimiter}2\n".encode()
    assert preview(data, delimiter, True, 1)["records"] == [{"a": "1", "b": "2"}]


@pytest.mark.parametrize("delimiter", [":", "", ",,", None, " "])
def test_other_delimiters_rejected(delimiter):
    with pytest.raises(GtinError) as err:
        preview(b"a,b\n", delimiter, True, 1)
    assert err.value.field == "delimiter"


def test_header_problems():
    with pytest.raises(GtinError, match="duplicate column"):
        preview(b"a,b,a\n1,2,3\n", ",", True, 1)
    assert preview(b"", ",", True, 5) == {"header": [], "records": [], "bad_lines": []}


def test_latin1_and_truncated_utf8():
    assert preview("nom;prix\nPâté;1\n".encode("cp1252"), ";", True, 5)["records"] == [{"nom": "Pâté", "prix": "1"}]
    cut = "a\nPâté\nPâ".encode()[:-1]  # the upload head cut inside "â"
    assert preview(cut, ",", True, 1)["records"] == [{"a": "Pâté"}]
    with pytest.raises(GtinError, match="UTF-16"):
        preview("a,b\n".encode("utf-16"), ",", True, 1)


def test_off_tsv_without_quoting(fixtures):
    data = (fixtures / "off_like_products.tsv").read_bytes()
    out = preview(data, "\t", True, 100, quotechar=None)
    assert len(out["records"]) == 7 and out["bad_lines"] == []
    assert out["records"][1]["product_name"] == 'Pâte "extra fine'


def test_file_records_stream(fixtures):
    reader = FileRecords(fixtures / "usda_like_branded_food.csv", ",", True)
    items = list(reader)
    assert reader.header[3] == "gtin_upc"
    assert [line for line, _ in items] == [2, 3, 4, 5, 6, 7, 8, 9, 10, 12]  # record 9 spans lines 10-11
    assert items[8][1]["ingredients"] == "PEANUTS, SALT.\nMAY CONTAIN TREE NUTS."
    assert not any(isinstance(r, BadLine) for _, r in items)


def test_file_records_bad_encoding_and_long_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tabular, "MAX_LINE_BYTES", 64)
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,2\n3," + b"x" * 200 + b"\n4,\xff\xfe\n5,6\n")
    monkeypatch.setattr(tabular, "_SNIFF_BYTES", 8)  # sniff sees valid UTF-8 only
    items = list(FileRecords(path, ",", True))
    assert items[0] == (2, {"a": "1", "b": "2"})
    assert isinstance(items[1][1], BadLine) and "longer" in items[1][1].reason and items[1][0] == 3
    assert isinstance(items[2][1], BadLine) and "invalid utf-8" in items[2][1].reason
    assert items[3] == (5, {"a": "5", "b": "6"})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=300),
                      st.text(alphabet=st.sampled_from('ab1,;\t|"\r\n\x00é\ufeff'), max_size=200).map(str.encode)),
       delimiter=st.sampled_from([",", "\t", ";", "|", ":"]), has_header=st.booleans(),
       quotechar=st.sampled_from(['"', None]))
def test_preview_never_raises_anything_but_domain_errors(data, delimiter, has_header, quotechar):
    try:
        out = preview(data, delimiter, has_header, 5, quotechar=quotechar)
    except GtinError as exc:
        assert exc.field and exc.reason
        return
    assert isinstance(out["header"], list) and len(out["records"]) <= 5
    assert all(isinstance(v, str) for r in out["records"] for v in r.values())


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=300), has_header=st.booleans())
def test_file_records_never_raise_anything_but_domain_errors(tmp_path_factory, data, has_header):
    path = tmp_path_factory.mktemp("h") / "f.csv"
    path.write_bytes(data)
    try:
        for line, record in FileRecords(path, ";", has_header):
            assert line >= 1 and isinstance(record, (dict, BadLine))
    except GtinError as exc:
        assert exc.field and exc.reason
