"""Base of the GTIN response models: a spec answer dumped with its absent extensions left out."""
from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel


class Wire(BaseModel):
    """A response model: spec fields always present (null included); the fields named in
    EXTENSIONS are documented extensions, left out while they are None."""

    EXTENSIONS: ClassVar[frozenset[str]] = frozenset()

    def wire(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        return {k: v for k, v in data.items() if not (k in self.EXTENSIONS and v is None)}
