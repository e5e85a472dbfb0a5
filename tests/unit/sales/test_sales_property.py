"""clean_file on arbitrary bytes ends in a CleanResult or a SalesFileError, never anything else."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.sales.clean import CleanOptions, CleanResult, clean_file
from models.sales.errors import SalesFileError

HEADER = b"sale_period,dsp,territory,isrc,quantity,currency,revenue\n"
DSR = b"HEAD\tdsrf/1.1\tBasicAudioProfile\t1.3\tM\t2025-07-02T10:00:00Z\t1\t1\t2025-06-01\t2025-06-30\tP\tS\n"

payload = st.one_of(
    st.binary(max_size=600),
    st.binary(max_size=400).map(lambda b: HEADER + b),
    st.binary(max_size=400).map(lambda b: DSR + b),
    st.text(alphabet=",;\t\n\r\"\\|0123456789.-abcGBUSDSY01SU02HEAD", max_size=400).map(lambda t: HEADER + t.encode()),
    st.text(max_size=300).map(lambda t: b"\xff\xfe" + (HEADER.decode() + t).encode("utf-16-le", "surrogatepass")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=payload, ext=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".xls"]))
def test_random_bytes_never_crash(data, ext):
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / f"f{ext}"
        p.write_bytes(data)
        try:
            res = clean_file(str(p), p.name, CleanOptions(), lambda b: None)
        except SalesFileError as exc:
            assert exc.cause in {"UNSUPPORTED_TYPE", "EMPTY", "CORRUPTED", "UNKNOWN_LAYOUT", "TOO_MANY_BAD_ROWS"}
        else:
            assert isinstance(res, CleanResult) and res.rows >= 0
