"""Sales files on the lifecycle kit: the `file_status` table folded from `sales.files.events`,
its worker page /files/{file_id}/ and the re-issuer of files left in flight
(models.files.KIND declares the statuses, transitions and next commands)."""
from __future__ import annotations

import faust

from agents.deps import Deps
from agents.tables import register_kind
from models.files import KIND


def register(app: faust.App, deps: Deps) -> None:
    register_kind(app, deps, KIND)
