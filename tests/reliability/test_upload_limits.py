"""Issue 19 item 6 and issue 18's one-PUT rule, on both object stores: a sales file's upload
URL carries its declared `filesize` (signed) and refuses a larger body with 413 in the one
problem+json shape; it takes one PUT, none once the file has left UPLOADING (409); a reimport
refuses an original replaced behind the API's back. The local store runs on the shared stack,
S3 on the session's S3 stack (tests/conftest.py `s3_stack`: objects in moto's server)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import aiohttp

from tests.reliability.conftest import record
from tests.support.http import Api
from tests.support.sales import process, register, wait_terminal
from tests.support.stack import cli

DATA = ("sale_period\tdsp\tterritory\tisrc\tartist\ttrack_title\tquantity\tcurrency\trevenue\n"
        "2025-05\tDeezer\tFR\tFRABC2500001\tBorne\tUne fois\t4\tEUR\t0.40\n")


async def _put(url: str, data) -> tuple[int, dict | bytes, str]:
    async with aiohttp.ClientSession() as session:
        async with session.put(url, data=data) as resp:
            raw = await resp.read()
            try:
                return resp.status, await resp.json(content_type=None), resp.content_type
            except ValueError:
                return resp.status, raw, resp.content_type


async def _upload_url(api: Api, file_id: int) -> str:
    status, body, _ = await api.post(f"/api/files/salesfiles/{file_id}/process/",
                                     json={"action": "upload"})
    assert status == 200, body
    return body["presigned_url"]


async def _bounded_and_single_use(api: Api, tag: str) -> tuple[dict, str]:
    data = DATA.replace("Borne", tag).encode()
    record = await register(api, f"{tag}.tsv", data)
    url = await _upload_url(api, record["id"])
    assert parse_qs(urlsplit(url).query)["size"] == [str(len(data))]
    # a declared 60-byte file cannot take 300 MB (or one byte more): refused before the body
    status, refused, kind = await _put(url, data + b"x")
    assert status == 413 and kind == "application/problem+json", refused
    assert refused["code"] == "body_too_large" and refused["max_bytes"] == len(data), refused
    parts = urlsplit(url)
    raised = parts._replace(query=parts.query.replace(f"size={len(data)}", "size=5368709120"))
    status, refused, _ = await _put(raised.geturl(), data + b"x")  # the size is signed
    assert status == 403 and refused["code"] == "signature_invalid", refused

    async def stream():  # no Content-Length: refused while it streams, nothing kept
        yield data
        yield b"extra line that was never declared\n"
    status, refused, _ = await _put(url, stream())
    assert status == 413 and refused["code"] == "body_too_large", refused
    # the refused PUTs used nothing up: the declared bytes go in once, then never again
    assert (await _put(url, data))[0] == 200
    status, refused, _ = await _put(url, data)
    assert status == 409 and "already used" in refused["detail"], refused
    await process(api, record["id"])
    final = await wait_terminal(api, record["id"])
    assert final["status"] == "FINALIZED", final
    status, refused, _ = await _put(url, data.replace(b"0.40", b"9.40"))
    assert status == 409 and refused["current_status"] == "FINALIZED", refused
    return final, url


async def test_local_upload_is_bounded_by_filesize_and_single_use(api):
    await _bounded_and_single_use(api, "Borne")
    record("storage_limits", "local_upload", "declared size +1 byte: 413; streamed past it: 413; "
           "size raised in the URL: 403; second PUT: 409; PUT after FINALIZED: 409")


async def test_s3_upload_is_bounded_single_use_and_a_replaced_original_is_not_reimported(s3_stack):
    """moto checks neither signatures nor sizes of its own presigned URLs, and no S3 refuses a
    second PUT of a valid URL: the upload URL is the gateway's, which streams into S3."""
    import boto3

    org = cli(s3_stack.data_dir, "org", "create", "S3 Limits")
    api = Api(s3_stack.url, org["token"])
    final, url = await _bounded_and_single_use(api, "Seau")
    assert url.startswith(s3_stack.url + "/_objects/uploads/"), url
    key = urlsplit(url).path.removeprefix("/_objects/")
    s3 = boto3.client("s3", endpoint_url=s3_stack.moto_endpoint, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    stored = s3.get_object(Bucket=s3_stack.bucket, Key=key)["Body"].read()
    assert b"0.40" in stored and b"9.40" not in stored  # the refused PUTs never reached S3
    # replaced behind the API's back (straight into the bucket): reimport refuses it
    s3.put_object(Bucket=s3_stack.bucket, Key=key, Body=stored.replace(b"0.40", b"7.40"))
    status, body, _ = await api.post(f"/api/files/salesfiles/{final['id']}/process/",
                                     json={"action": "reimport"})
    assert status == 409 and body["cause"] == "OBJECT_CHANGED", body
    _, view, _ = await api.get(f"/api/files/salesfiles/{final['id']}/")
    assert view["status"] == "FINALIZED" and view["attempt"] == final["attempt"], view
    record("storage_limits", "s3_upload", "through the gateway into S3 (moto): declared size +1 "
           "byte: 413; second PUT: 409; PUT after FINALIZED: 409; original replaced in the "
           "bucket: reimport 409 OBJECT_CHANGED")


CATALOG = b"isrc,upc,release_title,track_title,artist,label\nFRABC2500001,,Une,Fois,Borne,Lbl\n"
IMPORTS = "/api/catalog/imports/"


async def _fresh_url(api: Api, import_id: int) -> str:
    status, body, _ = await api.post(f"{IMPORTS}{import_id}/upload/")
    assert status == 200, body
    return body["presigned_url"]


async def test_a_catalog_upload_url_is_single_use_and_a_failed_upload_gets_a_fresh_one(api, stack):
    from pymongo import MongoClient

    status, imp, _ = await api.post(IMPORTS, json={"filename": "once.csv",
                                                   "filesize": len(CATALOG)})
    assert status == 201, imp
    url = imp["presigned_url"]
    assert parse_qs(urlsplit(url).query)["size"] == [str(len(CATALOG))]
    assert (await _put(url, CATALOG + b"x"))[0] == 413  # bounded; a refused PUT uses nothing up
    assert (await _put(url, CATALOG))[0] == 200
    status, refused, kind = await _put(url, CATALOG)
    assert status == 409 and kind == "application/problem+json", refused
    assert refused["code"] == "conflict" and "already used" in refused["detail"], refused
    assert refused["import_id"] == imp["id"] and refused["current_status"] == "UPLOADING"

    # the import FAILED as NOT_UPLOADED (its object went missing before the worker read it):
    # a re-upload takes a fresh URL (the used one stays used), then `process` again
    client = MongoClient(stack.state["mongo_url"], directConnection=True)
    try:
        client[stack.state["mongo_db"]].catalog_imports.update_one({"_id": imp["id"]}, {"$set": {
            "status": "FAILED", "status_cause": "NOT_UPLOADED", "error_message": "gone"}})
    finally:
        client.close()
    assert (await _put(url, CATALOG))[0] == 409
    again = await _fresh_url(api, imp["id"])
    assert again != url
    assert (await _put(again, CATALOG))[0] == 200
    spare = await _fresh_url(api, imp["id"])  # never the used ones, even within their second
    assert spare not in (url, again)
    assert (await _put(again, CATALOG))[0] == 409
    status, accepted, _ = await api.post(f"{IMPORTS}{imp['id']}/process/")
    assert status == 202, accepted
    done = await api.wait_for(f"{IMPORTS}{imp['id']}/",
                              lambda b: b["status"] in ("DONE", "FAILED"), 60)
    assert done["status"] == "DONE", done
    # imported: its original is what was read, never replaced; no fresh URL either
    status, refused, _ = await _put(spare, CATALOG.replace(b"Borne", b"Other"))
    assert status == 409 and refused["current_status"] == "DONE", refused
    status, refused, _ = await api.post(f"{IMPORTS}{imp['id']}/upload/")
    assert status == 409 and refused["current_status"] == "DONE", refused

    # declared without a size: bounded by TRIBUTARY_CATALOG_MAX_MB (default 1024 MB), one PUT
    status, free, _ = await api.post(IMPORTS, json={"filename": "free.csv"})
    assert status == 201, free
    assert parse_qs(urlsplit(free["presigned_url"]).query)["size"] == [str(1024 * 1024 * 1024)]
    assert (await _put(free["presigned_url"], CATALOG))[0] == 200
    assert (await _put(free["presigned_url"], CATALOG))[0] == 409
    record("storage_limits", "catalog_upload", "catalog import URL: declared size +1 byte: 413; "
           "second PUT: 409; after FAILED NOT_UPLOADED a fresh URL, used once; after DONE: 409; "
           "without a declared size: at most TRIBUTARY_CATALOG_MAX_MB")
