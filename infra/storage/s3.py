"""S3Store: any S3-compatible service (AWS, MinIO, moto) through aiobotocore."""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
from collections.abc import AsyncIterable
from contextlib import AsyncExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from infra.storage.base import (
    CHUNK_SIZE,
    BodyTooLarge,
    ObjectInfo,
    ObjectNotFound,
    ObjectStore,
    atomic_output,
    check_delete_prefix,
    validate_key,
    validate_presign,
)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3 minimum for every part but the last


def make_config() -> AioConfig:
    """SigV4 presigns, path-style (custom endpoints), no default CRC checksums (see stack notes §3)."""
    return AioConfig(signature_version="s3v4", s3={"addressing_style": "path"},
                     request_checksum_calculation="when_required",
                     response_checksum_validation="when_required",
                     retries={"mode": "standard", "max_attempts": 3})


def _missing(exc: ClientError) -> bool:
    code = str(exc.response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}


class S3Store(ObjectStore):
    def __init__(self, bucket: str, *, endpoint_url: str | None = None,
                 region: str = "us-east-1", access_key: str | None = None,
                 secret_key: str | None = None, public_endpoint_url: str | None = None,
                 part_size: int = 8 * 1024 * 1024, create_bucket: bool = True,
                 ping_timeout: float = 3.0) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError("part_size must be at least 5 MiB")
        self.bucket = bucket
        self.endpoint_url = endpoint_url
        self.public_endpoint_url = public_endpoint_url  # host clients see; signed into URLs
        self.region = region
        self.part_size = part_size
        self.create_bucket = create_bucket
        self.ping_timeout = ping_timeout
        self._credentials = {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key}
        self._stack: AsyncExitStack | None = None
        self._client: Any = None
        self._signer: Any = None

    async def _open(self, endpoint: str | None) -> Any:
        assert self._stack is not None
        return await self._stack.enter_async_context(get_session().create_client(
            "s3", endpoint_url=endpoint, region_name=self.region, config=make_config(),
            **self._credentials))

    async def start(self) -> None:
        if self._stack is not None:
            return
        self._stack = AsyncExitStack()
        try:
            self._client = await self._open(self.endpoint_url)
            self._signer = self._client
            if self.public_endpoint_url and self.public_endpoint_url != self.endpoint_url:
                self._signer = await self._open(self.public_endpoint_url)
            if self.create_bucket:
                await self._ensure_bucket()
        except BaseException:
            await self.close()
            raise

    async def _ensure_bucket(self) -> None:
        try:
            await self._client.head_bucket(Bucket=self.bucket)
            return
        except ClientError as exc:
            if not _missing(exc):
                raise
        extra = ({} if self.region == "us-east-1" else
                 {"CreateBucketConfiguration": {"LocationConstraint": self.region}})
        try:
            await self._client.create_bucket(Bucket=self.bucket, **extra)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "BucketAlreadyOwnedByYou":
                raise

    async def close(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    async def ping(self) -> bool:
        try:
            await asyncio.wait_for(self._client.head_bucket(Bucket=self.bucket), self.ping_timeout)
            return True
        except (TimeoutError, ClientError, BotoCoreError, OSError, AttributeError):
            return False

    # -- writes ------------------------------------------------------------------------------
    async def put(self, key: str, data: bytes, content_type: str | None = None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        await self._client.put_object(Bucket=self.bucket, Key=validate_key(key), Body=data, **extra)

    async def put_file(self, key: str, path: str) -> None:
        validate_key(key)
        content_type = mimetypes.guess_type(path)[0]
        if os.path.getsize(path) <= self.part_size:
            data = await asyncio.to_thread(Path(path).read_bytes)
            await self.put(key, data, content_type)
            return
        extra = {"ContentType": content_type} if content_type else {}
        upload = await self._client.create_multipart_upload(Bucket=self.bucket, Key=key, **extra)
        upload_id = upload["UploadId"]
        try:
            parts: list[dict[str, Any]] = []
            with open(path, "rb") as src:
                while chunk := await asyncio.to_thread(src.read, self.part_size):
                    number = len(parts) + 1
                    resp = await self._client.upload_part(
                        Bucket=self.bucket, Key=key, UploadId=upload_id,
                        PartNumber=number, Body=chunk)
                    parts.append({"PartNumber": number, "ETag": resp["ETag"]})
            await self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id,
                MultipartUpload={"Parts": parts})
        except BaseException:
            with contextlib.suppress(Exception):  # keep the original error
                await self._client.abort_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise

    async def write_stream(self, key: str, chunks: AsyncIterable[bytes],
                           max_bytes: int | None = None) -> ObjectInfo:
        """Stream a body into S3 with bounded memory (one part buffered): a single PUT when it
        fits one part, else a multipart upload, aborted when the stream fails or exceeds
        `max_bytes` (BodyTooLarge). Used by the gateway's upload route on this backend."""
        validate_key(key)
        buffer, written, upload_id = bytearray(), 0, None
        parts: list[dict[str, Any]] = []
        try:
            async for chunk in chunks:
                written += len(chunk)
                if max_bytes is not None and written > max_bytes:
                    raise BodyTooLarge(f"body larger than {max_bytes} bytes")
                buffer += chunk
                if len(buffer) >= self.part_size:
                    if upload_id is None:
                        upload_id = (await self._client.create_multipart_upload(
                            Bucket=self.bucket, Key=key))["UploadId"]
                    await self._part(key, upload_id, parts, bytes(buffer[:self.part_size]))
                    del buffer[:self.part_size]
            if upload_id is None:
                await self.put(key, bytes(buffer))
            else:
                if buffer or not parts:
                    await self._part(key, upload_id, parts, bytes(buffer))
                await self._client.complete_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id,
                    MultipartUpload={"Parts": parts})
        except BaseException:
            if upload_id is not None:
                with contextlib.suppress(Exception):  # keep the original error
                    await self._client.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload_id)
            raise
        info = await self.head(key)
        assert info is not None
        return info

    async def _part(self, key: str, upload_id: str, parts: list, data: bytes) -> None:
        number = len(parts) + 1
        resp = await self._client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload_id,
                                              PartNumber=number, Body=data)
        parts.append({"PartNumber": number, "ETag": resp["ETag"]})

    async def sweep_partials(self, older_than: datetime) -> int:
        """Abort multipart uploads begun before `older_than` (their parts are billed and
        invisible until aborted)."""
        aborted = 0
        paginator = self._client.get_paginator("list_multipart_uploads")
        async for page in paginator.paginate(Bucket=self.bucket):
            for upload in page.get("Uploads", []):
                if upload["Initiated"] < older_than:
                    with contextlib.suppress(ClientError):  # completed or aborted meanwhile
                        await self._client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                        aborted += 1
        return aborted

    # -- reads -------------------------------------------------------------------------------
    async def _get_object(self, key: str) -> dict[str, Any]:
        try:
            return await self._client.get_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as exc:
            if _missing(exc):
                raise ObjectNotFound(key) from None
            raise

    async def get(self, key: str) -> bytes:
        resp = await self._get_object(key)
        async with resp["Body"] as stream:
            return await stream.read()

    async def read_head(self, key: str, n_bytes: int) -> bytes:
        return await self.read_range(key, 0, n_bytes)

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        if length <= 0:
            if await self.head(key) is None:
                raise ObjectNotFound(key)
            return b""
        try:
            resp = await self._client.get_object(Bucket=self.bucket, Key=validate_key(key),
                                                 Range=f"bytes={start}-{start + length - 1}")
        except ClientError as exc:
            if _missing(exc):
                raise ObjectNotFound(key) from None
            if exc.response.get("Error", {}).get("Code") != "InvalidRange":
                raise
            return b""  # an empty object has no byte 0 (nor one past its end)
        async with resp["Body"] as stream:
            return (await stream.read())[:length]

    async def download(self, key: str, path: str) -> None:
        resp = await self._get_object(key)
        async with resp["Body"] as stream:
            with atomic_output(path) as out:
                async for chunk in stream.iter_chunks(CHUNK_SIZE):
                    await asyncio.to_thread(out.write, chunk)

    async def head(self, key: str) -> ObjectInfo | None:
        try:
            resp = await self._client.head_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return ObjectInfo(key, resp["ContentLength"], resp["ETag"].strip('"'),
                          resp["LastModified"])

    async def list(self, prefix: str = "") -> list[ObjectInfo]:
        found: list[ObjectInfo] = []
        paginator = self._client.get_paginator("list_objects_v2")
        async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                found.append(ObjectInfo(item["Key"], item["Size"], item["ETag"].strip('"'),
                                        item["LastModified"]))
        return sorted(found, key=lambda info: info.key)

    # -- deletes -----------------------------------------------------------------------------
    async def delete(self, key: str) -> None:
        await self._client.delete_object(Bucket=self.bucket, Key=validate_key(key))

    async def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in await self.list(check_delete_prefix(prefix))]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = [{"Key": key} for key in keys[start:start + 1000]]
            resp = await self._client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
            if errors := resp.get("Errors"):
                raise RuntimeError(f"delete_prefix failed for {len(errors)} keys: {errors[:3]}")
        return len(keys)

    # -- presign -----------------------------------------------------------------------------
    async def presign(self, key: str, method: str = "PUT", expires_in: int = 3600,
                      max_bytes: int | None = None) -> str:
        method = validate_presign(key, method, expires_in)
        operation = "put_object" if method == "PUT" else "get_object"
        params = {"Bucket": self.bucket, "Key": key}
        if method == "PUT" and max_bytes is not None:
            params["ContentLength"] = max_bytes  # signed header: S3 refuses any other length
        return await self._signer.generate_presigned_url(
            operation, Params=params, ExpiresIn=expires_in)
