"""Pydantic models of the gateway's HTTP bodies, one module per area (`gateway/schemas/<area>.py`).

Request models refuse unknown fields (`RequestModel`); response models list what a client can
rely on and let later additions through (`ResponseModel`). Routes declare them with
`gateway.contract.endpoint`; gateway/openapi.py documents them.
"""
