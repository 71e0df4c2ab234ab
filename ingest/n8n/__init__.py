"""n8n: workflow exports (and optionally the credentials export) -> canonical records.

Reads what ``n8n export:workflow --all [--separate]`` writes (one JSON per workflow, a JSON
array of workflows, or a folder of them) and ``n8n export:credentials`` (encrypted or
``--decrypted``; found among the files by shape, or named with ``credentials=``).
:mod:`.read` reads the files, :mod:`.transform` (workflows) and :mod:`.credentials` (the
credentials export) turn the parsed documents into records.

Per instance: Workspace ``workspace:n8n:<instance>`` (and one per n8n project) CONTAINS
each Workflow; each node whose ``credentials`` block names a credential is a Connector
that AUTHENTICATES_WITH the credential's Secret; the node type (or a literal URL host)
gives the System it TARGETS, and the Secret gets ``CAN_ACCESS access=unknown`` to it.
Hard-coded credentials in node parameters are Secrets with ``store=embedded`` and a keyed
fingerprint. Decrypted credential data keeps identifiers (access key id, client id, user,
host) and the fingerprint of the secret part; the values go nowhere.

Identity decisions (docs/ids.md): a credential is ``secret:n8n:<instance>:<id>``; where an
export gives only a name it is ``secret:n8n:<instance>:<type>:<name>``; where it gives an
obvious placeholder id such as ``credential-id`` that template exports reuse for unrelated
credentials, ``secret:n8n:<instance>:<workflow id>:<type>:<name>`` (joining nothing). An empty
reference (``""``, ``{}``, blank id and name, ``"[REDACTED]"``) keeps the Connector, with
``credentials_unset`` naming the types, and a note; a node that is not a node is left out.
A workflow without an ``id``, or whose ``id`` appears in several files, takes its id from
the file path (``file:<relative path>``), and a note says so.
"""

from __future__ import annotations

from pathlib import Path

from graph.records import Batch, normalise_environment

from ..files import DEFAULT_MAX_BYTES
from ..registry import Option, workflow_platform
from .read import default_instance, read_exports
from .transform import transform


def parse(path, instance: str | None = None, credentials: str | None = None,
          environment: str | None = None, saas_tenant: str | None = None,
          max_bytes: int = DEFAULT_MAX_BYTES) -> Batch:
    """Parse n8n workflow exports (files or folders) of one instance into a batch.

    ``instance`` names the instance (default: the folder's name); ``credentials`` a
    credentials export; ``environment`` the instance's environment; ``saas_tenant`` the
    tenant of the SaaS systems it calls (so ``system:saas:slack:<tenant>`` joins other
    sources), when known.
    """
    roots = [path] if isinstance(path, (str, Path)) else list(path)
    inst = instance or default_instance(Path(roots[0]))
    batch = Batch()
    batch.notes = []
    found, cred_docs = read_exports(roots, credentials, max_bytes, batch)
    env = normalise_environment(environment) if environment else None
    transform(found, cred_docs, inst, env, saas_tenant, batch)
    return batch


INGESTER = workflow_platform(
    "n8n",
    "Ingest n8n workflow exports (files, JSON arrays or folders) of one instance.",
    parse,
    Option("--instance", "Instance name (default: the folder's name)."),
    Option("--credentials", "An `n8n export:credentials` file or folder (encrypted or "
           "--decrypted).", type="path"),
)
