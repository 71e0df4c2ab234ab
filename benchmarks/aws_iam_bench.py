"""Time and peak memory of the aws-iam ingester on a generated authorization-details file.

Generates an ``aws iam get-account-authorization-details`` document with ``--roles`` roles,
``--policies`` customer-managed policies (plus AdministratorAccess and ReadOnly-style AWS
policies), ``--users`` users in ``--groups`` groups. Each role attaches 3 managed policies
and has one inline policy; policies mix concrete actions, service wildcards, ``Get*``-style
patterns, NotAction, Deny statements, conditions, bucket/object/table ARNs and ARN
patterns; trusts mix services, same-account roles, another account and GitHub OIDC (with and
without ``sub``). Then times parse (evaluation included), validation and an embedded-store
write, and prints peak RSS.

    python benchmarks/aws_iam_bench.py [--roles 1000] [--policies 1000] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.embedded import EmbeddedStore  # noqa: E402
from graph.records import validate  # noqa: E402
from ingest.aws import parse  # noqa: E402

ACCT, OTHER = "123456789012", "210987654321"
SERVICES = {
    "s3": ["GetObject", "PutObject", "DeleteObject", "ListBucket", "PutBucketPolicy",
           "GetBucketAcl", "PutObjectTagging"],
    "dynamodb": ["GetItem", "PutItem", "Query", "Scan", "DeleteTable", "TagResource"],
    "sqs": ["SendMessage", "ReceiveMessage", "DeleteMessage", "SetQueueAttributes"],
    "lambda": ["InvokeFunction", "UpdateFunctionCode", "AddPermission", "GetFunction"],
    "kms": ["Decrypt", "Encrypt", "CreateGrant", "DescribeKey"],
    "iam": ["PassRole", "GetRole", "AttachRolePolicy", "CreateAccessKey"],
}


def _resource(rng: random.Random, svc: str) -> str:
    n = rng.randrange(300)
    if svc == "s3":
        return rng.choice([f"arn:aws:s3:::bucket-{n}", f"arn:aws:s3:::bucket-{n}/*",
                           f"arn:aws:s3:::bucket-{n % 20}-*"])
    if svc == "dynamodb":
        return f"arn:aws:dynamodb:us-east-1:{ACCT}:table/table-{n}"
    if svc == "sqs":
        return f"arn:aws:sqs:us-east-1:{ACCT}:queue-{n}"
    if svc == "lambda":
        return f"arn:aws:lambda:us-east-1:{ACCT}:function:fn-{n}"
    if svc == "kms":
        return f"arn:aws:kms:us-east-1:{ACCT}:key/key-{n}"
    return f"arn:aws:iam::{ACCT}:role/role-{n}"


def _statements(rng: random.Random) -> list[dict]:
    out = []
    for _ in range(rng.randint(1, 4)):
        svc = rng.choice(list(SERVICES))
        r = rng.random()
        if r < 0.6:
            actions = [f"{svc}:{a}" for a in rng.sample(SERVICES[svc], rng.randint(1, 3))]
        elif r < 0.8:
            actions = [f"{svc}:Get*", f"{svc}:List*"]
        else:
            actions = [f"{svc}:*"]
        st = {"Effect": "Allow", "Action": actions,
              "Resource": [_resource(rng, svc) for _ in range(rng.randint(1, 3))]}
        if rng.random() < 0.1:
            st["Resource"] = "*"
        if rng.random() < 0.15:
            st["Condition"] = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
        out.append(st)
    if rng.random() < 0.15:
        svc = rng.choice(["s3", "dynamodb"])
        out.append({"Effect": "Deny", "Action": f"{svc}:Delete*", "Resource": "*"})
    if rng.random() < 0.03:
        out.append({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"],
                    "Resource": "*"})
    return out


def _doc(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def generate(roles: int, policies: int, users: int, groups: int, seed: int) -> dict:
    rng = random.Random(seed)
    pols = [{"PolicyName": f"policy-{i}", "Arn": f"arn:aws:iam::{ACCT}:policy/policy-{i}",
             "DefaultVersionId": "v1", "PolicyVersionList": [
                 {"Document": _doc(_statements(rng)), "VersionId": "v1",
                  "IsDefaultVersion": True}]} for i in range(policies)]
    pols.append({"PolicyName": "AdministratorAccess",
                 "Arn": "arn:aws:iam::aws:policy/AdministratorAccess", "DefaultVersionId": "v1",
                 "PolicyVersionList": [{"Document": _doc([{"Effect": "Allow", "Action": "*",
                                                           "Resource": "*"}]),
                                        "VersionId": "v1", "IsDefaultVersion": True}]})

    def attached(k):
        names = rng.sample(range(policies), k)
        out = [{"PolicyName": f"policy-{i}", "PolicyArn": f"arn:aws:iam::{ACCT}:policy/policy-{i}"}
               for i in names]
        if rng.random() < 0.02:
            out.append({"PolicyName": "AdministratorAccess",
                        "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"})
        return out

    def trust(i):
        r = rng.random()
        gh = f"arn:aws:iam::{ACCT}:oidc-provider/token.actions.githubusercontent.com"
        if r < 0.4:
            p = {"Service": rng.choice(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])}
            return _doc([{"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"}])
        if r < 0.7:
            p = {"AWS": f"arn:aws:iam::{ACCT}:role/role-{rng.randrange(roles)}"}
            return _doc([{"Effect": "Allow", "Principal": p, "Action": "sts:AssumeRole"}])
        if r < 0.8:
            acct = rng.choice([ACCT, OTHER])  # own-account root trust: every principal checked
            return _doc([{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
                          "Action": "sts:AssumeRole"}])
        cond = {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}
        if r < 0.97:
            cond["StringLike"] = {"token.actions.githubusercontent.com:sub":
                                  f"repo:acme/repo-{rng.randrange(200)}:*"}
        return _doc([{"Effect": "Allow", "Principal": {"Federated": gh},
                      "Action": "sts:AssumeRoleWithWebIdentity", "Condition": cond}])

    role_list = [{"RoleName": f"role-{i}", "Arn": f"arn:aws:iam::{ACCT}:role/role-{i}",
                  "AssumeRolePolicyDocument": trust(i),
                  "RolePolicyList": [{"PolicyName": f"inline-{i}",
                                      "PolicyDocument": _doc(_statements(rng))}],
                  "AttachedManagedPolicies": attached(3)} for i in range(roles)]
    group_list = [{"GroupName": f"group-{i}", "Arn": f"arn:aws:iam::{ACCT}:group/group-{i}",
                   "GroupPolicyList": [], "AttachedManagedPolicies": attached(2)}
                  for i in range(groups)]
    user_list = [{"UserName": f"user-{i}", "Arn": f"arn:aws:iam::{ACCT}:user/user-{i}",
                  "GroupList": [f"group-{rng.randrange(groups)}"], "UserPolicyList": [],
                  "AttachedManagedPolicies": attached(1)} for i in range(users)]
    return {"UserDetailList": user_list, "GroupDetailList": group_list,
            "RoleDetailList": role_list, "Policies": pols}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--roles", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=1000)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="Ingest the file this many times.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "authorization-details.json"
        path.write_text(json.dumps(generate(args.roles, args.policies, args.users,
                                            args.groups, args.seed)))
        size = path.stat().st_size / 1e6
        rss0 = _rss_mb()
        runs = []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            batch = parse(path)
            t1 = time.perf_counter()
            validate(batch)
            t2 = time.perf_counter()
            result = EmbeddedStore(Path(tmp) / f"store{i}").write(batch, source="bench")
            t3 = time.perf_counter()
            runs.append((t1 - t0, t2 - t1, t3 - t2, t3 - t0))
        rss1 = _rss_mb()
    kinds: dict[str, int] = {}
    for e in batch.edges:
        kinds[e.kind] = kinds.get(e.kind, 0) + 1
    print(f"input: {args.roles} roles, {args.policies} policies, {args.users} users, "
          f"{args.groups} groups; {size:.1f} MB JSON")
    print(f"output: {len(batch.nodes)} nodes, {len(batch.edges)} edges "
          f"({', '.join(f'{k}={v}' for k, v in sorted(kinds.items()))}); "
          f"{len(batch.skipped)} skipped; store wrote {result.nodes_written} nodes")
    print(f"{args.repeat} run(s), median [min] seconds (the first run also loads the IAM "
          "action database):")
    for i, label in enumerate(("parse+evaluate", "validate", "store write", "total")):
        col = sorted(r[i] for r in runs)
        print(f"  {label:<15} {statistics.median(col):6.2f} [{col[0]:.2f}]")
    print(f"  roles/s evaluated (median): {args.roles / statistics.median(r[0] for r in runs):.0f}")
    print(f"peak RSS: {rss1:.0f} MB (before ingest {rss0:.0f} MB, ingest added "
          f"{rss1 - rss0:.0f} MB)")


if __name__ == "__main__":
    main()
