"""The n8n credentials export (``n8n export:credentials``), encrypted or ``--decrypted``.

Each credential becomes the Secret its workflows point at (``secret:n8n:<instance>:<id>``)
with its dates. Encrypted data is opaque and only its presence is noted. Decrypted data
keeps non-secret identifiers (an AWS access key id, an OAuth client id, a user or host) so
other sources can join on them, and the keyed fingerprint of the secret part; the values
themselves are dropped here and never reach a record. Pure: parsed documents in, records
out; :mod:`ingest.n8n.read` reads the files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graph.fingerprint import fingerprint

from ..files import iso_date
from ..secret_scan import split_credential
from ..services import n8n_credential_service

#: Generic credential types whose ``host`` names the system (``system:<kind>:<host>``).
HOST_CREDENTIALS = {"postgres": "postgres", "mySql": "mysql", "microsoftSql": "mssql",
                    "mongoDb": "mongodb", "redis": "redis", "sshPassword": "ssh",
                    "sshPrivateKey": "ssh", "ftp": "ftp", "sftp": "sftp", "imap": "imap",
                    "smtp": "smtp"}


def _is_credential(item: Any) -> bool:
    return isinstance(item, dict) and "nodes" not in item and "type" in item and "data" in item


def is_credential_export(doc: Any) -> bool:
    if isinstance(doc, dict):
        return _is_credential(doc)
    return isinstance(doc, list) and bool(doc) and all(_is_credential(d) for d in doc)


def add_export(b, path: Path, doc: Any) -> None:
    """Add the credentials of one parsed export file to ``b``, the instance's
    :class:`~ingest.n8n.transform.N8nRecords` (pure: the file is already read)."""
    items = [(None, doc)] if isinstance(doc, dict) else list(enumerate(doc or []))
    if not isinstance(doc, (dict, list)):
        b.batch.skipped.append(f"{path}: not an n8n credentials export")
        return
    for i, item in items:
        where = f"{path}{'' if i is None else f'[{i}]'}"
        if not _is_credential(item) or not isinstance(item.get("type"), str) or \
                not (item.get("id") or item.get("name")):
            b.batch.skipped.append(f"{where}: credential of an unexpected shape "
                                   "(needs type, data and id or name)")
            continue
        ctype = item["type"]
        data = item["data"]
        props: dict[str, Any] = {}
        for key, prop in (("createdAt", "created_at"), ("updatedAt", "updated_at")):
            props[prop] = iso_date(item.get(key), b.batch.notes, f"{where}: {key}")
        if isinstance(data, str):
            props["encrypted"] = True
        elif isinstance(data, dict):
            keep, primary, fields = split_credential(data)
            props.update(keep)
            props["secret_fields"] = fields
            if primary:
                props["fingerprint"] = fingerprint(primary)
        else:
            b.batch.skipped.append(f"{where}: credential data is a {type(data).__name__}, "
                                   "not encrypted text or a mapping")
            continue
        sid = b.secret(b.secret_id(ctype, item.get("id"), item.get("name")), ctype,
                       str(item.get("name") or "") or None, where, **props)
        host = props.get("host")
        service = n8n_credential_service(ctype)
        if ctype in HOST_CREDENTIALS and host:
            system = b.host_system(HOST_CREDENTIALS[ctype], host, where)
        else:
            system = b.system(service, None) if service else None
            if system is None and host and ctype not in HOST_CREDENTIALS and service is None \
                    and ctype != "aws":
                system = b.system(None, host)
        if system:
            b.can_access(sid, system, f"n8n {ctype} credential", where)
