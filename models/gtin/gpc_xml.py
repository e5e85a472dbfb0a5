"""Streaming loader for a GS1 GPC XML publication ("GS1 Combined Published ... .xml").

Schema: <schema><segment code text><family><class><brick><attType><attValue/></attType></brick>...
Parsed with expat directly: DOCTYPE and entity declarations are refused (no entity expansion,
no external fetches) and the input size is capped, so an operator-supplied file cannot blow up.
"""
from __future__ import annotations

import gzip
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from models.gtin.errors import GtinError
from models.gtin.gpc import GpcHierarchy

MAX_BYTES = 512 * 1024 * 1024
_CHUNK = 1 << 16
_PARENT = {"segment": "schema", "family": "segment", "class": "family", "brick": "class",
           "attType": "brick", "attValue": "attType"}


class _Builder:
    def __init__(self) -> None:
        self.hier = GpcHierarchy()
        self.stack: list[tuple[str, str | None]] = []  # (element, code)
        self.skip_depth = 0  # >0 while inside an inactive element
        self.links: dict[str, dict[str, set[str]]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.skip_depth:
            self.skip_depth += 1
            return
        parent = self.stack[-1][0] if self.stack else None
        if name == "schema" and parent is None:
            self.stack.append((name, None))
            return
        if _PARENT.get(name) != parent:
            raise GtinError("gpc_xml", f"unexpected <{name}> inside <{parent}>")
        if attrs.get("active", "true").lower() == "false":
            self.skip_depth = 1
            return
        code = attrs.get("code", "")
        if not (len(code) == 8 and code.isascii() and code.isdigit()):
            raise GtinError("gpc_xml", f"<{name}> without an 8-digit code: {code!r}")
        parent_code = self.stack[-1][1]
        if name == "attType":
            self.links.setdefault(parent_code or "", {}).setdefault(code, set())
            self.hier.att_types.add(code)
        elif name == "attValue":
            brick = self.stack[-2][1] or ""
            self.links[brick][parent_code or ""].add(code)
            self.hier.att_values.add(code)
        else:
            self.hier.add(name, code, attrs.get("text", ""), parent_code)
        self.stack.append((name, code))

    def end(self, name: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        self.stack.pop()


def _refuse(*_args: object) -> None:
    raise GtinError("gpc_xml", "DOCTYPE and entity declarations are not allowed")


def parse_gpc_xml(stream: BinaryIO, *, max_bytes: int = MAX_BYTES) -> GpcHierarchy:
    """Parse a GPC XML publication from a binary stream into a GpcHierarchy."""
    builder = _Builder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    total = 0
    try:
        while chunk := stream.read(_CHUNK):
            total += len(chunk)
            if total > max_bytes:
                raise GtinError("gpc_xml", f"file larger than {max_bytes} bytes")
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise GtinError("gpc_xml", f"malformed XML: {exc}") from None
    if not builder.hier.level:
        raise GtinError("gpc_xml", "no GPC segment found")
    builder.hier.brick_attributes = {
        brick: {att: frozenset(values) for att, values in atts.items()} for brick, atts in builder.links.items()
    }
    return builder.hier


def load_gpc_xml(path: str | Path, *, max_bytes: int = MAX_BYTES) -> GpcHierarchy:
    """Parse a GPC XML file (plain or .gz) given by an operator."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as stream:  # type: ignore[operator]
        return parse_gpc_xml(stream, max_bytes=max_bytes)
