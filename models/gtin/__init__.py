"""Pure domain logic of the GTIN description service (no Mongo, Kafka or HTTP).

Modules: codes (GTIN), gs1 (GS1 ranges, Company Prefixes), ownership (who holds a GTIN), country (GS1 prefix -> country), gpc / gpc_xml (classification),
gdti (document URNs), conditions (source conditions), widgets (wire-form widgets), sources (merges), tabular (CSV
reading), import_spec (task body), mapping (record -> outcome).
"""
from models.gtin.codes import normalise_gtin
from models.gtin.conditions import check_conditions, normalise_conditions
from models.gtin.country import Registration, country_of_registration
from models.gtin.errors import GtinError, MultiError, SourceNotFound
from models.gtin.gdti import Gdti, parse_gdti, parse_gdti_element, parse_gdti_urn
from models.gtin.gpc import GpcHierarchy
from models.gtin.gpc_data import default_hierarchy, resolve_gpc
from models.gtin.gpc_xml import load_gpc_xml, parse_gpc_xml
from models.gtin.import_spec import FieldSpec, ImportSpec
from models.gtin.mapping import (
    BadGtin,
    BadPrefix,
    LineOutcome,
    Ok,
    build_widgets,
    map_line,
    pending_cdn_copies,
)
from models.gtin.ownership import Refusal, check_gtin8, check_prefix, prefix_of, refusal
from models.gtin.sources import Participant, delete_source, merge_sources, normalise_source, replace_included
from models.gtin.tabular import BadLine, FileRecords, check_delimiter, preview
from models.gtin.widgets import check_widgets, parse_widget

__all__ = [
    "BadGtin", "BadLine", "BadPrefix", "FieldSpec", "FileRecords", "Gdti", "GpcHierarchy", "GtinError",
    "ImportSpec", "LineOutcome", "MultiError", "Ok", "Participant", "Registration", "SourceNotFound",
    "Refusal", "build_widgets", "check_conditions", "check_delimiter", "check_gtin8", "check_prefix", "check_widgets",
    "country_of_registration", "prefix_of", "refusal",
    "default_hierarchy", "delete_source", "load_gpc_xml", "map_line", "merge_sources", "normalise_conditions",
    "normalise_gtin", "normalise_source", "parse_gdti", "parse_gdti_element", "parse_gdti_urn", "parse_gpc_xml",
    "parse_widget", "pending_cdn_copies", "preview", "replace_included", "resolve_gpc",
]
