"""What a link given to `POST /api/files/upload_automatically/` points at, and which files
found behind it are sales files (pure: no I/O).

Google Drive share links come in many shapes; all of them carry the file or folder id:

    https://drive.google.com/file/d/<id>/view?usp=sharing      a file
    https://drive.google.com/open?id=<id>  ·  /uc?id=<id>&export=download
    https://drive.google.com/drive/folders/<id>  ·  /drive/u/0/folders/<id>
    https://docs.google.com/spreadsheets/d/<id>/edit           a Google Sheets document
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

SUPPORTED = {"csv": "CSV", "txt": "TXT", "tsv": "TSV", "xls": "XLS", "xlsx": "XLSX"}
MIME_TYPES = {"text/csv": "CSV", "text/tab-separated-values": "TSV", "text/plain": "TXT",
              "application/vnd.ms-excel": "XLS",
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX"}
FOLDER_MIME = "application/vnd.google-apps.folder"
ZIP_MIMES = ("application/zip", "application/x-zip-compressed", "application/x-zip")
GOOGLE_NATIVE = "application/vnd.google-apps."
DIRECT_ZIP = ("a direct link to a zip archive is not supported: put the archive in a shared "
              "folder and link the folder, or link the files inside it")
_ID = r"[A-Za-z0-9_-]{10,200}"
_DRIVE_HOSTS = ("drive.google.com", "docs.google.com")
_PATH_IDS = [(re.compile(rf"/drive/(?:u/\d+/)?(?:mobile/)?folders/({_ID})"), "drive_folder"),
             (re.compile(rf"/file/(?:u/\d+/)?d/({_ID})"), "drive_file"),
             (re.compile(rf"/(?:spreadsheets|document|presentation)/(?:u/\d+/)?d/({_ID})"),
              "drive_file")]


class LinkError(ValueError):
    """The link cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Link:
    kind: str  # "drive_file", "drive_folder", "drive_item" (file or folder) or "http"
    url: str
    id: str | None = None
    resource_key: str | None = None

    @property
    def is_drive(self) -> bool:
        return self.kind != "http"


def parse_link(url: object) -> Link:
    """Recognise a Drive share link or a plain http(s) URL; raise LinkError otherwise."""
    if not isinstance(url, str) or not url.strip():
        raise LinkError("`url` is required: a Google Drive share link or an http(s) URL")
    url = url.strip()
    if len(url) > 4096:
        raise LinkError("`url` is longer than 4096 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LinkError("`url` must be an http(s) URL (a Google Drive share link or a direct link)")
    if parts.username or parts.password:
        raise LinkError("`url` must not carry credentials (user:password@)")
    query = parse_qs(parts.query)
    resource_key = (query.get("resourcekey") or [None])[0]
    if parts.hostname.lower() in _DRIVE_HOSTS:
        for pattern, kind in _PATH_IDS:
            if match := pattern.search(parts.path):
                return Link(kind, url, match.group(1), resource_key)
        ids = query.get("id") or []
        if ids and re.fullmatch(_ID, ids[0]):
            return Link("drive_item", url, ids[0], resource_key)
        raise LinkError("this Google Drive link names no file or folder: use the link from "
                        "Share → Copy link (…/file/d/<id>/view or …/drive/folders/<id>)")
    if is_zip_name(unquote(parts.path)):
        raise LinkError(DIRECT_ZIP)
    return Link("http", url)


def filetype(name: str, mime_type: str | None = None) -> str | None:
    """The sales-file type (CSV/TXT/TSV/XLS/XLSX) by extension, then by MIME type."""
    ext = posixpath.splitext(name or "")[1].lstrip(".").lower()
    if ext in SUPPORTED:
        return SUPPORTED[ext]
    if ext:
        return None  # a known other extension wins over a vague MIME type
    return MIME_TYPES.get((mime_type or "").split(";")[0].strip().lower())


def is_zip_name(name: str) -> bool:
    return (name or "").lower().rstrip("/").endswith(".zip")


def is_zip(name: str, mime_type: str | None = None) -> bool:
    return is_zip_name(name) or (mime_type or "").split(";")[0].strip().lower() in ZIP_MIMES


def classify(name: str, mime_type: str | None = None) -> tuple[str, str]:
    """("folder"|"archive"|"file"|"skip", filetype or the reason for skipping)."""
    mime = (mime_type or "").lower()
    if mime == FOLDER_MIME:
        return "folder", ""
    if is_zip(name, mime):
        return "archive", "ZIP"
    if mime.startswith(GOOGLE_NATIVE):
        kind = mime[len(GOOGLE_NATIVE):]
        return "skip", (f"Google {kind} documents are not imported: download it as XLSX or CSV "
                        "(File → Download) and share that file")
    found = filetype(name, mime)
    if found:
        return "file", found
    return "skip", (f"unsupported type ({posixpath.splitext(name)[1] or mime or 'no extension'}); "
                    "supported: CSV, TXT, TSV, XLS, XLSX")


def safe_filename(name: str, fallback: str = "file") -> str:
    """A record filename: no '/' or NUL, at most 255 characters, extension kept."""
    name = (name or "").replace("/", "_").replace("\\", "_").replace("\x00", "").strip() or fallback
    if len(name) > 255:
        stem, ext = posixpath.splitext(name)
        name = stem[:255 - len(ext)] + ext
    return name


def http_filename(url: str, content_disposition: str | None = None) -> str:
    """The file name of a plain URL: Content-Disposition first, then the path's last segment."""
    if content_disposition:
        match = re.search(r"filename\*=(?:UTF-8'')?([^;]+)", content_disposition, re.I) or \
            re.search(r'filename="?([^";]+)"?', content_disposition, re.I)
        if match:
            return safe_filename(posixpath.basename(unquote(match.group(1).strip())))
    return safe_filename(posixpath.basename(unquote(urlsplit(url).path)), "download")


def redact(url: str) -> str:
    """The URL without its query (presigned URLs carry credentials there)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
