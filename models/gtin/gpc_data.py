"""The GPC data shipped with Tributary (models/gtin/data), parsed once on first use; apart from
models/gtin/gpc.py (the hierarchy) because it needs the XML reader, which builds hierarchies."""
from __future__ import annotations

import csv
import functools
import gzip
import io
from collections.abc import Mapping
from importlib import resources

from models.gtin.gpc import GpcHierarchy
from models.gtin.gpc_xml import parse_gpc_xml


def _data(name: str) -> str:
    raw = resources.files("models.gtin").joinpath(f"data/{name}").read_bytes()
    return gzip.decompress(raw).decode("utf-8")


@functools.cache
def default_hierarchy() -> GpcHierarchy:
    """The shipped GPC data, parsed on first use."""
    hier = GpcHierarchy()
    for row in csv.DictReader(io.StringIO(_data("gpc_bricks_hierarchy_2020-06.csv.gz"))):
        hier.add("segment", row["segment_code"], row["segment_title_lc"], None)
        hier.add("family", row["family_code"], row["family_title_lc"], row["segment_code"])
        hier.add("class", row["class_code"], row["class_title_lc"], row["family_code"])
        hier.add("brick", row["brick_code"], row["brick_title_lc"], row["class_code"])
    hier.att_types = {line.split("\t", 1)[0] for line in _data("gpc_attType_2020-06.tsv.gz").splitlines() if line}
    hier.att_values = {line.split("\t", 1)[0] for line in _data("gpc_attValue_2020-06.tsv.gz").splitlines() if line}
    hier.update(parse_gpc_xml(io.BytesIO(_data("gpc_2024-12_food_four_families.xml.gz").encode("utf-8"))))
    return hier


def resolve_gpc(fields: Mapping[str, object]) -> dict[str, str]:
    """resolve() against the default hierarchy."""
    return default_hierarchy().resolve(fields)
