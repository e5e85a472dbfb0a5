"""Safe expansion of a zip archive found behind an automatic-upload link.

Limits hold on what the archive *declares* (member count, total size, compression ratio) and
again on what it actually inflates to, since headers can lie. Member names never become
filesystem paths: each member is written to `dest/<n>` and carries its cleaned name.
Nested archives are refused explicitly (listed as skipped), not expanded.
"""
from __future__ import annotations

import os
import posixpath
import zipfile
from dataclasses import dataclass, field
from typing import Callable

from models.drive_links import classify, is_zip_name, safe_filename

CHUNK = 1 << 16


class ArchiveError(Exception):
    """The whole archive is refused (corrupted, a zip bomb, too many members)."""

    def __init__(self, message: str, cause: str = "CORRUPTED") -> None:
        super().__init__(message)
        self.message, self.cause = message, cause


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 1000
    max_total_bytes: int = 2 * 1024 ** 3
    max_member_bytes: int = 1024 ** 3
    max_ratio: float = 200.0  # uncompressed / compressed, per member and overall
    ratio_floor: int = 1024 * 1024  # members smaller than this are never called bombs


@dataclass(frozen=True)
class Member:
    path: str  # name inside the archive, cleaned
    filename: str  # record filename (basename)
    filetype: str
    size: int
    local_path: str = ""
    entry: str = ""  # the raw name inside the archive


@dataclass
class Expansion:
    members: list[Member] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {"path", "reason"}


def _clean_path(name: str) -> str | None:
    """The member path if it is safe (relative, no '..'), else None."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def _ignored(path: str) -> bool:
    base = posixpath.basename(path)
    return path.startswith("__MACOSX/") or base.startswith("._") or base in (".DS_Store",
                                                                              "Thumbs.db")


def plan(archive: zipfile.ZipFile, limits: ArchiveLimits) -> Expansion:
    """Check the declared contents and choose the members to extract (nothing is inflated)."""
    infos = [i for i in archive.infolist() if not i.is_dir()]
    if len(infos) > limits.max_members:
        raise ArchiveError(f"the archive holds {len(infos)} files; at most "
                           f"{limits.max_members} are expanded")
    declared = sum(i.file_size for i in infos)
    compressed = sum(i.compress_size for i in infos)
    if declared > limits.max_total_bytes:
        raise ArchiveError(f"the archive expands to {declared} bytes; the limit is "
                           f"{limits.max_total_bytes}")
    if declared > limits.ratio_floor and declared > limits.max_ratio * max(compressed, 1):
        raise ArchiveError(f"the archive looks like a zip bomb: {declared} bytes packed in "
                           f"{compressed} (ratio above {limits.max_ratio:g})")
    for info in infos:
        if info.file_size > limits.ratio_floor and \
                info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(f"the archive looks like a zip bomb: {info.filename!r} declares "
                               f"{info.file_size} bytes packed in {info.compress_size}")
    out = Expansion()
    for info in infos:
        path = _clean_path(info.filename)
        if path is None:
            out.skipped.append({"path": info.filename, "reason": "unsafe path inside the archive "
                                "(absolute or with '..'); not extracted"})
            continue
        if _ignored(path):
            continue
        if info.flag_bits & 0x1:
            out.skipped.append({"path": path, "reason": "encrypted member; not extracted"})
            continue
        if info.file_size > limits.max_member_bytes:
            out.skipped.append({"path": path, "reason": f"{info.file_size} bytes: larger than "
                                f"the {limits.max_member_bytes}-byte limit per file"})
            continue
        if is_zip_name(path):
            out.skipped.append({"path": path, "reason": "nested zip archives are not expanded: "
                                "extract it and share its files"})
            continue
        kind, detail = classify(posixpath.basename(path))
        if kind != "file":
            out.skipped.append({"path": path, "reason": detail})
            continue
        if info.file_size == 0:
            out.skipped.append({"path": path, "reason": "empty file"})
            continue
        out.members.append(Member(path, safe_filename(posixpath.basename(path)), detail,
                                  info.file_size, entry=info.filename))
    return out


def _inflate(archive: zipfile.ZipFile, member: Member, target: str, budget: int) -> int:
    """Stream one member to `target`; refuse it as soon as it outgrows what it declared."""
    allowed = min(member.size, budget)
    written = 0
    with archive.open(member.entry or member.path) as src, open(target, "wb") as dst:
        while chunk := src.read(CHUNK):
            written += len(chunk)
            if written > allowed:
                raise ArchiveError(f"{member.path} inflates beyond its declared {member.size} "
                                   "bytes (a zip bomb?)")
            dst.write(chunk)
    return written


Selector = Callable[[list[tuple[str, bytes]]], tuple[list[str], dict[str, str]]]
HEAD_BYTES = 64 * 1024


def expand(zip_path: str, dest_dir: str, limits: ArchiveLimits = ArchiveLimits(),
           select: Selector | None = None) -> Expansion:
    """Extract the supported members of `zip_path` into `dest_dir`.

    `select` may narrow the members further (e.g. `models.sales.bundles.select_sales_members`
    keeps only the line-level sales CSV of a FUGA/Cargo bundle): it gets (path, first bytes)
    per extracted member and returns (paths kept, {path dropped: reason}).
    Raises ArchiveError for a bad archive.
    """
    found = _extract(zip_path, dest_dir, limits)
    if select is None or not found.members:
        return found
    heads = []
    for member in found.members:
        with open(member.local_path, "rb") as handle:
            heads.append((member.path, handle.read(HEAD_BYTES)))
    kept, dropped = select(heads)
    keep = set(kept)
    for member in found.members:
        if member.path not in keep:
            os.remove(member.local_path)
            found.skipped.append({"path": member.path,
                                  "reason": dropped.get(member.path, "not a sales report")})
    return Expansion([m for m in found.members if m.path in keep], found.skipped)


def _extract(zip_path: str, dest_dir: str, limits: ArchiveLimits) -> Expansion:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            found = plan(archive, limits)
            budget = limits.max_total_bytes
            done: list[Member] = []
            for number, member in enumerate(found.members):
                target = os.path.join(dest_dir, f"member-{number}")
                size = _inflate(archive, member, target, budget)
                budget -= size
                if size == 0:
                    found.skipped.append({"path": member.path, "reason": "empty file"})
                    continue
                done.append(Member(member.path, member.filename, member.filetype, size, target,
                                   member.entry))
            return Expansion(done, found.skipped)
    except ArchiveError:
        raise
    except zipfile.BadZipFile as exc:
        raise ArchiveError(f"not a readable zip archive: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - zlib errors, unsupported methods, truncation
        raise ArchiveError(f"the archive could not be expanded: {exc}") from None
