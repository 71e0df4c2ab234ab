"""Canary test: plant 100 unique secret values across every input format that carries
values, run every command and export, then search the store folder, standard output and
error, and every written report byte-for-byte (and the loaded graph, in case a compressed
Parquet page would hide a value from a byte search), and every explorer page as rendered
by Streamlit's AppTest on the same store (:func:`explorer_pages`): zero hits.

Data-driven over the ingester registry: ``CANARY_CASES`` maps an ingester name to builders
that write an input carrying the given secret values. An ingester added later either adds
its builders here, or ships a fixture under ``tests/data/<name>/`` holding the marker
``CANARY_VALUE`` where its format keeps a secret (each marker then gets a planted value:
:func:`fixture_cases`), or names itself in ``NO_SECRET_VALUES``; a registered ingester with
none of these fails the test loudly. :func:`plant_and_run` is the whole run for a set of
cases; ``tests/test_registry.py`` runs it on a throwaway ingester.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from pathlib import Path

import yaml
from click.testing import CliRunner

import cli
from graph.embedded import EmbeddedStore
from ingest.registry import ingesters

DATA = Path(__file__).parent / "data"
FIELDS = ("value", "password", "token", "api_key", "client_secret")
#: Stands where a fixture's format keeps a secret value (see :func:`fixture_cases`).
MARKER = "CANARY_VALUE"
#: Ingesters whose inputs never hold a secret value.
NO_SECRET_VALUES: set[str] = set()


def canaries(n: int = 100) -> list[str]:
    return [f"CANARY{i:03d}x{hashlib.sha256(str(i).encode()).hexdigest()[:20]}"
            for i in range(n)]


def _inventory_doc(values: list[str], tag: str) -> dict:
    secrets, edges = [], []
    for i, v in enumerate(values):
        sid = f"secret:canary:{tag}:{i}"
        secrets.append({"id": sid, "name": f"{tag} secret {i}", FIELDS[i % len(FIELDS)]: v,
                        "environment": "prod" if i % 2 else "dev"})
        edges.append({"from": "workflow:canary:wf", "to": sid})
    return {
        "nhigraph_inventory": 1,
        "nodes": {
            "Workspace": [{"id": "workspace:canary:ws", "environment": "prod"}],
            "Workflow": [{"id": "workflow:canary:wf"}, {"id": "workflow:canary:wf2"}],
            "Secret": secrets,
            "System": [{"id": "system:canary:sys", "crown_jewel": True}],
        },
        "edges": {
            "CONTAINS": [{"from": "workspace:canary:ws", "to": "workflow:canary:wf"}],
            "REFERENCES": edges + [{"from": "workflow:canary:wf2", "to": secrets[0]["id"]}],
            "CAN_ACCESS": [{"from": s["id"], "to": "system:canary:sys", "access": "admin"}
                           for s in secrets],
        },
    }


def inventory_yaml(folder: Path, values: list[str]) -> Path:
    p = folder / "canary.yaml"
    p.write_text(yaml.safe_dump(_inventory_doc(values, "yaml")))
    return p


def inventory_json(folder: Path, values: list[str]) -> Path:
    p = folder / "canary.json"
    p.write_text(json.dumps(_inventory_doc(values, "json")))
    return p


def inventory_csv(folder: Path, values: list[str]) -> Path:
    d = folder / "canary-csv"
    d.mkdir()
    with open(d / "Secret.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("id", "name", *FIELDS))
        for i, v in enumerate(values):
            cells = [""] * len(FIELDS)
            cells[i % len(FIELDS)] = v
            w.writerow((f"secret:canary:csv:{i}", f"csv secret {i}", *cells))
    with open(d / "System.csv", "w", newline="") as fh:
        fh.write("id,name\nsystem:canary:csvsys,csv system\n")
    with open(d / "edges.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("kind", "from", "to", "access"))
        for i in range(len(values)):
            w.writerow(("CAN_ACCESS", f"secret:canary:csv:{i}", "system:canary:csvsys", "read"))
    return d


def inventory_bad(folder: Path, values: list[str]) -> Path:
    """A refused input: the secret field holds a mapping and the error must not echo it."""
    doc = _inventory_doc(values, "bad")
    doc["nodes"]["Secret"][0]["value"] = {"nested": values[0], "more": values[1:]}
    p = folder / "canary-bad.yaml"
    p.write_text(yaml.safe_dump(doc))
    return p


def n8n_export(folder: Path, values: list[str]) -> Path:
    """Hard-coded headers, query-string tokens and API-key fields in node parameters, and a
    ``--decrypted`` credentials export whose data holds the rest."""
    d = folder / "canary-n8n"
    (d / "credentials").mkdir(parents=True)
    nodes, creds = [], []
    for i, v in enumerate(values):
        if i % 3 == 0:
            params = {"url": "https://api.example.test/v1",
                      "sendHeaders": True,
                      "headerParameters": {"parameters": [
                          {"name": "Authorization", "value": f"Bearer {v}"}]}}
            nodes.append({"id": f"n{i}", "name": f"call {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0], "parameters": params})
        elif i % 3 == 1:
            nodes.append({"id": f"n{i}", "name": f"query {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0],
                          "parameters": {"url": f"https://api.example.test/x?api_key={v}",
                                         "apiKey": v}})
        else:
            creds.append({"id": f"cred-{i}", "name": f"canary cred {i}", "type": "httpHeaderAuth",
                          "data": {"name": "Authorization", "value": v}})
            nodes.append({"id": f"n{i}", "name": f"auth {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0],
                          "parameters": {"url": "https://api.example.test/y"},
                          "credentials": {"httpHeaderAuth": {"id": f"cred-{i}",
                                                             "name": f"canary cred {i}"}}})
    (d / "canary-wf.json").write_text(json.dumps({
        "id": "canary-wf", "name": "canary workflow", "active": True, "nodes": nodes,
        "connections": {}}))
    (d / "credentials" / "credentials.json").write_text(json.dumps(creds))
    return d


def github_repo(folder: Path, values: list[str]) -> Path:
    """Literal values in env:, in a third-party action's with: and in a run: line."""
    d = folder / "canary-repo"
    wf = d / ".github" / "workflows"
    wf.mkdir(parents=True)
    env = {f"LITERAL_{i}": v for i, v in enumerate(values[::2])}
    steps = [{"uses": "some-vendor/upload-action@v1", "with": {"token": v}}
             for v in values[1::2]]
    steps.append({"run": f"curl -H 'Authorization: Bearer {values[0]}' https://x.test"})
    doc = {"name": "canary", "on": "push",
           "jobs": {"build": {"runs-on": "ubuntu-latest", "env": env, "steps": steps}}}
    (wf / "canary.yml").write_text(yaml.safe_dump(doc))
    return d


def airflow_connections(folder: Path, values: list[str]) -> Path:
    """Passwords, secrets in extra, and a password inside a connection URI."""
    conns = {}
    for i, v in enumerate(values):
        if i % 2:
            conns[f"canary_{i}"] = {"conn_type": "postgres", "host": f"db{i}.example.test",
                                    "login": "svc", "password": v, "port": 5432,
                                    "extra": json.dumps({"api_token": v})}
        else:
            conns[f"canary_{i}"] = {"conn_type": "http", "host": "api.example.test",
                                    "login": None, "password": None,
                                    "extra": json.dumps({"Authorization": f"Bearer {v}"})}
    p = folder / "canary-connections.json"
    p.write_text(json.dumps(conns))
    return p


def kubernetes_secrets(folder: Path, values: list[str]) -> Path:
    """Secrets carrying values in stringData (plain) and data (base64)."""
    import base64

    docs = [{"apiVersion": "v1", "kind": "ServiceAccount",
             "metadata": {"name": "canary-sa", "namespace": "canary"}}]
    for i, v in enumerate(values):
        docs.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                     "metadata": {"name": f"canary-{i}", "namespace": "canary"},
                     "stringData": {"password": v},
                     "data": {"token": base64.b64encode(v.encode()).decode()}})
    p = folder / "canary-k8s.yaml"
    p.write_text(yaml.safe_dump_all(docs))
    return p


#: Secret-looking names outside the model's fixed list: the shared classifier must catch them.
SECRET_NAMED = ("api_token", "auth_token", "db_password", "secret_key", "credential",
                "connection_string", "dbPassword", "privateKeyPem")


def inventory_secret_names(folder: Path, values: list[str]) -> Path:
    """Fields whose names say they are secrets (not in the fixed list), in JSON."""
    doc = _inventory_doc(values[:1], "named")
    secret = doc["nodes"]["Secret"][0]
    for i, v in enumerate(values[1:]):
        secret[f"{SECRET_NAMED[i % len(SECRET_NAMED)]}{i // len(SECRET_NAMED) or ''}"] = v
    p = folder / "canary-named.json"
    p.write_text(json.dumps(doc))
    return p


def inventory_csv_secret_columns(folder: Path, values: list[str]) -> Path:
    """CSV columns whose names say they are secrets."""
    d = folder / "canary-csv-named"
    d.mkdir()
    with open(d / "Secret.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(("id", "name", *SECRET_NAMED))
        for i, v in enumerate(values):
            cells = [""] * len(SECRET_NAMED)
            cells[i % len(SECRET_NAMED)] = v
            w.writerow((f"secret:canary:csvnamed:{i}", f"csv named {i}", *cells))
    return d


def inventory_bad_nested(folder: Path, values: list[str]) -> Path:
    """Refused: a nested mapping under a non-secret key holds a token; the schema error
    must not quote it."""
    doc = _inventory_doc(values[:1], "badnested")
    doc["nodes"]["System"][0]["tags"] = {"token": values[0], "more": values[1:]}
    p = folder / "canary-bad-nested.json"
    p.write_text(json.dumps(doc))
    return p


def n8n_urls(folder: Path, values: list[str]) -> Path:
    """URLs with userinfo and query tokens in node parameters and in decrypted
    credentials' url/host/domain; a credentials block given as a string."""
    d = folder / "canary-n8n-urls"
    (d / "credentials").mkdir(parents=True)
    nodes, creds = [], []
    params = ("access_token", "token", "key", "sig")
    for i, v in enumerate(values):
        if i % 3 == 0:
            nodes.append({"id": f"u{i}", "name": f"url {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0],
                          "parameters": {"url": f"https://svc{i}:{v}@api{i}.example.test/v1"
                                                f"?{params[i % 4]}={v}"}})
        elif i % 3 == 1:
            creds.append({"id": f"cu-{i}", "name": f"url cred {i}", "type": "httpBasicAuth",
                          "data": {"url": f"https://bot:{v}@h{i}.example.test/?sig={v}",
                                   "host": f"ops:{v}@db{i}.example.test",
                                   "domain": f"https://d{i}.example.test/?{params[i % 4]}={v}"}})
            nodes.append({"id": f"u{i}", "name": f"cred {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0],
                          "parameters": {"url": f"https://h{i}.example.test/"},
                          "credentials": {"httpBasicAuth": {"id": f"cu-{i}",
                                                            "name": f"url cred {i}"}}})
        else:
            nodes.append({"id": f"u{i}", "name": f"bad {i}", "type": "n8n-nodes-base.httpRequest",
                          "typeVersion": 4, "position": [0, 0], "credentials": v})
    (d / "canary-urls.json").write_text(json.dumps({
        "id": "canary-urls", "name": "canary urls", "active": True, "nodes": nodes,
        "connections": {}}))
    (d / "credentials" / "credentials.json").write_text(json.dumps(creds))
    return d


def github_docker_refs(folder: Path, values: list[str]) -> Path:
    """``docker://user:pass@...`` action references."""
    d = folder / "canary-docker-repo"
    wf = d / ".github" / "workflows"
    wf.mkdir(parents=True)
    steps = [{"uses": f"docker://bot{i}:{v}@ghcr.io/acme/tool{i}:1"} for i, v in enumerate(values)]
    doc = {"name": "docker", "on": "push",
           "jobs": {"build": {"runs-on": "ubuntu-latest", "steps": steps}}}
    (wf / "docker.yml").write_text(yaml.safe_dump(doc))
    return d


def airflow_urls(folder: Path, values: list[str]) -> Path:
    """Connection URLs with userinfo and query tokens in ``host`` and in ``extra``."""
    conns = {}
    for i, v in enumerate(values):
        conns[f"canary_url_{i}"] = {
            "conn_type": "http",
            "host": f"https://svc:{v}@api{i}.example.test/v1?access_token={v}",
            "login": None, "password": None,
            "extra": json.dumps({"endpoint": f"https://e{i}.example.test/?key={v}&sig={v}",
                                 "proxy": f"http://p:{v}@proxy.example.test:3128"})}
    p = folder / "canary-url-connections.json"
    p.write_text(json.dumps(conns))
    return p


def aws_tags(folder: Path, values: list[str]) -> Path:
    """IAM users and roles tagged with secret-looking keys (values planted)."""
    users = [{"Path": "/", "UserName": f"canary-user-{i}", "UserId": f"AIDACANARY{i}",
              "Arn": f"arn:aws:iam::111111111111:user/canary-user-{i}",
              "CreateDate": "2022-01-10T09:00:00Z", "GroupList": [], "UserPolicyList": [],
              "AttachedManagedPolicies": [],
              "Tags": [{"Key": "team", "Value": "data"},
                       {"Key": SECRET_NAMED[i % len(SECRET_NAMED)], "Value": v}]}
             for i, v in enumerate(values)]
    p = folder / "canary-aws.json"
    p.write_text(json.dumps({"UserDetailList": users, "GroupDetailList": [],
                             "RoleDetailList": [], "Policies": []}))
    return p


CANARY_CASES = {
    "inventory": (inventory_yaml, inventory_json, inventory_csv, inventory_bad,
                  inventory_secret_names, inventory_csv_secret_columns, inventory_bad_nested),
    "n8n": (n8n_export, n8n_urls),
    "github-actions": (github_repo, github_docker_refs),
    "airflow": (airflow_connections, airflow_urls),
    "kubernetes": (kubernetes_secrets,),
    "aws-iam": (aws_tags,),
}
#: Inputs refused on purpose (exit 2): their errors must not echo the planted values.
REFUSED = {inventory_bad, inventory_bad_nested}

# Every command that reads the store, with the exports each can write.
FORMATS = ("table", "json", "csv")


def fixture_cases(name: str, data: Path = DATA) -> tuple:
    """Builders from the files under ``data/<name>/`` and ``data/<name>_shapes/`` (fixtures
    in a platform's published shapes) that hold :data:`MARKER`: each writes the file with
    every marker replaced by one of the given values in turn."""
    templates = sorted(p for folder in (data / name, data / f"{name}_shapes")
                       if folder.is_dir() for p in folder.rglob("*")
                       if p.is_file() and MARKER.encode() in p.read_bytes())

    def builder(template: Path):
        def build(into: Path, values: list[str]) -> Path:
            parts = template.read_text(encoding="utf-8").split(MARKER)
            text = parts[0] + "".join(values[i % len(values)] + part
                                      for i, part in enumerate(parts[1:]))
            target = into / f"{name}-{template.name}"
            target.write_text(text, encoding="utf-8")
            return target
        build.__name__ = f"fixture_{template.stem}"
        return build

    return tuple(builder(t) for t in templates)


def canary_cases(data: Path = DATA) -> dict[str, tuple]:
    """Every registered ingester's builders: the hand-written ones, else its fixtures'."""
    return {name: CANARY_CASES.get(name) or fixture_cases(name, data) for name in ingesters()}


def uncovered(data: Path = DATA) -> list[str]:
    """Registered ingesters with no canary builder that do not say they hold no secrets."""
    return sorted(n for n, builders in canary_cases(data).items()
                  if not builders and n not in NO_SECRET_VALUES)


def test_every_ingester_has_canary_cases():
    missing = uncovered()
    assert not missing, f"add canary builders for {missing} in tests/test_canary.py"


def plant_and_run(tmp_path: Path, cases: dict[str, tuple], values: list[str]) -> dict:
    """Write each builder's input with its share of ``values`` and ingest it, then run every
    command and export on the store. Returns what a leak could hide in: ``streams`` (every
    output), ``blobs`` (those, every file of the store and of the outputs, and the loaded
    graph), with ``graph``, ``secrets`` (Secret node ids) and ``refused`` (ingests refused)."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    store = tmp_path / "store"
    out = tmp_path / "out"
    out.mkdir()
    builders = [(fmt, b) for fmt, bs in sorted(cases.items()) for b in bs]
    share = -(-len(values) // len(builders))
    runner = CliRunner()
    streams: list[bytes] = []

    def run(*args: str) -> int:
        res = runner.invoke(cli.cli, [*args, "--store", str(store)])
        streams.append(res.stdout_bytes or b"")
        streams.append(res.stderr_bytes or b"")
        assert res.exit_code in (0, 2), (args, res.output)
        return res.exit_code

    refused = 0
    for i, (fmt, build) in enumerate(builders):
        path = build(inputs, values[i * share:(i + 1) * share])
        code = run("ingest", fmt, str(path), "--source", f"canary-{i}")
        refused += code == 2
        assert code == (2 if build in REFUSED else 0), f"{fmt}/{build.__name__}"
    g = EmbeddedStore(store, create=False).graph
    secrets = sorted(n for n, k in g.nodes(data="kind") if k == "Secret")

    run("stats")
    run("stats", "--format", "json")
    for fmt in FORMATS:
        for s in secrets[::10]:
            run("blast-radius", s, "--format", fmt, "-o", str(out / f"br-{s[-6:]}.{fmt}"))
            run("blast-radius", s, "--format", fmt)
        run("inbound", "system:canary:sys", "--format", fmt, "-o", str(out / f"in.{fmt}"))
        run("path", "workflow:canary:wf", "system:canary:sys", "--format", fmt,
            "-o", str(out / f"path.{fmt}"))
        run("shared-credentials", "--format", fmt, "-o", str(out / f"shared.{fmt}"))
        run("shared-credentials", "--format", fmt)
        run("orphans", "--format", fmt, "-o", str(out / f"orphans.{fmt}"))
        run("orphans", "--format", fmt)
        run("blast-radius-all", "--format", fmt, "-o", str(out / f"all.{fmt}"))
        run("findings", "--format", fmt, "-o", str(out / f"findings.{fmt}"))
        run("findings", "--format", fmt)
    for ext in ("html", "md", "csv", "json", "xlsx"):
        run("report", "estate", "-o", str(out / f"estate.{ext}"))
        run("report", "blast-radius", "workflow:canary:wf", "-o", str(out / f"br.{ext}"))
    for fmt, ext in (("opengraph", "json"), ("graphml", "graphml"), ("json", "json")):
        run("export", "--format", fmt, "-o", str(out / f"export-{fmt}.{ext}"))
    run("snapshot", "export", str(out / "snap.nhisnap.json.gz"))
    run("findings", "--format", "sarif", "-o", str(out / "findings.sarif"))
    for fmt in ("json", "markdown", "html"):
        run("diff", "--from", str(out / "snap.nhisnap.json.gz"), "--format", fmt,
            "-o", str(out / f"diff.{fmt}"))

    blobs = [p.read_bytes() for d in (store, out) for p in d.rglob("*") if p.is_file()]
    blobs += [gzip.decompress(p.read_bytes()) for d in (store, out) for p in d.rglob("*.gz")]
    blobs += streams
    blobs.append(repr(list(g.nodes(data=True))).encode())
    blobs.append(repr(list(g.edges(keys=True, data=True))).encode())
    return {"streams": streams, "blobs": blobs, "graph": g, "secrets": secrets,
            "refused": refused}


#: Node ids the explorer pages are pointed at (a planted secret, the canary workflow/system).
PICKS = {"blast_radius": {"Compromised node": "secret:canary:csv:0"},
         "inbound": {"Target": "system:canary:sys"},
         "path_finder": {"From": "workflow:canary:wf", "To": "system:canary:sys"}}


def _proto_bytes(node) -> list[bytes]:
    """Every element under an AppTest tree node, serialised (strings stay verbatim)."""
    out = []
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "SerializeToString"):
        out.append(proto.SerializeToString())
    for child in (getattr(node, "children", None) or {}).values():
        out += _proto_bytes(child)
    return out


def explorer_pages(store: Path, monkeypatch) -> dict[str, bytes]:
    """Each explorer view on ``store`` rendered by AppTest (the real app script), with the
    node pickers of :data:`PICKS` set: the page's whole element tree as bytes, by view,
    followed by every file its download buttons would give when clicked (the reports are
    built on click: the functions Streamlit registers for them are caught and run)."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.testing.v1 import AppTest

    deferred: dict[str, object] = {}
    real = MediaFileManager.add_deferred

    def catch(self, fn, mimetype, coordinates, file_name=None, **kw):
        deferred[file_name] = fn
        return real(self, fn, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", catch)
    monkeypatch.setenv("NHIGRAPH_STORE", str(store))
    monkeypatch.delenv("NEO4J_URI", raising=False)
    root = Path(__file__).resolve().parent.parent
    app = root / "app.py"
    views = sorted(p.stem for p in (root / "explorer" / "views").glob("*.py")
                   if p.stem != "__init__")
    pages: dict[str, bytes] = {}
    for view in views:
        deferred.clear()
        at = AppTest.from_file(str(app), default_timeout=120).run()
        at.switch_page(f"explorer/views/{view}.py").run()
        for label, node in PICKS.get(view, {}).items():
            (box,) = [b for b in at.selectbox if b.label == label]
            box.set_value(node).run()
        assert not at.exception, (view, [e.value for e in at.exception])
        files = [str(fn()).encode() for _, fn in sorted(deferred.items())]
        pages[view] = b"".join(_proto_bytes(at._tree) + files)
        if view in PICKS:  # not vacuous: the node views offer their report
            assert sum(f.startswith(b"<!DOCTYPE html>") for f in files) >= 1, view
    return pages


def test_no_secret_value_leaks_anywhere(tmp_path, monkeypatch):
    cases = canary_cases()
    # ten values per builder, whatever the number of builders (the inventory's builders
    # plant one secret per value)
    values = canaries(10 * sum(len(b) for b in cases.values()))
    ran = plant_and_run(tmp_path, cases, values)
    g, secrets, streams, blobs = ran["graph"], ran["secrets"], ran["streams"], ran["blobs"]
    assert ran["refused"] == len(REFUSED)  # only the deliberately bad inputs
    assert len(secrets) >= 60
    planted = [x for x in secrets if x.startswith("secret:canary:")]
    assert len(planted) >= 39  # the inventory's, each kept as a keyed fingerprint only
    assert all(any(str(v).startswith("hmac-sha256:") for k, v in g.nodes[x].items()
                   if k.endswith("fingerprint")) for x in planted)

    assert len(blobs) > 30
    hits = [v for v in values for b in blobs if v.encode() in b]
    assert hits == []
    # The search is not vacuous: non-secret ids of the same inputs are found.
    assert any(b"secret:canary:csv:0" in b for b in streams + blobs)

    pages = explorer_pages(tmp_path / "store", monkeypatch)
    assert len(pages) >= 8
    assert [(v, x) for v in values for view, x in pages.items() if v.encode() in x] == []
    # Not vacuous: each page shows the canary estate, and the picked walks ran.
    assert all(b"canary" in x for x in pages.values()), [v for v, x in pages.items()
                                                         if b"canary" not in x]
    shown = {"blast_radius": b"Reachable", "inbound": b"Can reach it",
             "path_finder": b"Shortest path length (hops)"}
    assert [v for v, word in shown.items() if word not in pages[v]] == []


def test_no_secret_value_in_a_store_written_in_columns(tmp_path):
    """The CSV canaries each ingested into a fresh store, which the CLI writes in columns
    (``ingest.inventory_columns``): the values are in no stored byte and no output; each
    is kept as a keyed fingerprint."""
    from ingest.inventory_columns import read_tables

    values = canaries(20)
    runner = CliRunner()
    for i, build in enumerate((inventory_csv, inventory_csv_secret_columns)):
        share = values[i * 10:(i + 1) * 10]
        folder = build(tmp_path, share)
        assert read_tables(folder, "canary").nodes.num_rows >= 10  # the columnar path
        store = tmp_path / f"store-{i}"
        res = runner.invoke(cli.cli, ["ingest", "inventory", str(folder), "--store", str(store)])
        assert res.exit_code == 0, res.output
        exported = tmp_path / f"export-{i}.json"
        res2 = runner.invoke(cli.cli, ["export", "--store", str(store), "--format", "json",
                                       "-o", str(exported)])
        assert res2.exit_code == 0, res2.output
        blob = b"".join(p.read_bytes() for p in store.rglob("*") if p.is_file())
        blob += (res.stdout_bytes or b"") + exported.read_bytes()
        assert [v for v in share if v.encode() in blob] == []
        g = EmbeddedStore(store, create=False)
        planted = [n for n in g.nodes("Secret") if n["id"].startswith("secret:canary:")]
        assert len(planted) == 10
        assert all(any(str(v).startswith("hmac-sha256:") for k, v in n.items()
                       if k.endswith("fingerprint")) for n in planted)
        assert b"secret:canary:csv" in blob  # not vacuous: the ids are there
