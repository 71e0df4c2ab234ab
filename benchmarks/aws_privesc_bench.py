"""Privilege escalation at account scale: nhigraph (ingest + findings) beside
``cloudsplaining scan`` on the same generated authorization-details file, in one run.

Generates an ``aws iam get-account-authorization-details`` document of ``--principals``
principals (half roles, 42% users, 8% groups) and ``--policies`` customer-managed policies.
Each principal attaches 3-5 policies and has one inline policy. About one policy in twelve
holds an escalation method (iam:CreateAccessKey / UpdateLoginProfile on users, policy edits
on itself, iam:PassRole with lambda, ec2, glue, cloudformation, codebuild, ecs or sagemaker,
lambda:UpdateFunctionCode, ssm:SendCommand), some on ``*``, some on one user or a role path,
some under conditions; some principals carry a Deny of iam:PassRole or a permissions
boundary. Roles trust services, the account, or each other.

Each tool runs as its own CLI process, measured with ``os.wait4`` (wall, user+system CPU,
peak RSS); the ratio is printed.

    python benchmarks/aws_privesc_bench.py [--principals 2000] [--policies 5000] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCT = "123456789012"
SERVICES = ["lambda.amazonaws.com", "ec2.amazonaws.com", "glue.amazonaws.com",
            "ecs-tasks.amazonaws.com", "sagemaker.amazonaws.com", "codebuild.amazonaws.com",
            "cloudformation.amazonaws.com"]
PLAIN = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:PutItem",
         "dynamodb:Query", "sqs:SendMessage", "sqs:ReceiveMessage", "kms:Decrypt",
         "logs:PutLogEvents", "cloudwatch:PutMetricData", "ec2:DescribeInstances",
         "secretsmanager:GetSecretValue", "sns:Publish", "s3:Get*", "s3:List*", "ec2:Describe*"]
ESCALATING = [
    (["iam:CreateAccessKey"], "user"), (["iam:UpdateLoginProfile"], "user"),
    (["iam:PutRolePolicy", "iam:AttachRolePolicy"], "role"),
    (["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "role"),
    (["iam:PassRole", "ec2:RunInstances"], "role"),
    (["iam:PassRole", "glue:CreateJob", "glue:StartJobRun"], "role"),
    (["iam:PassRole", "cloudformation:CreateStack"], "role"),
    (["iam:PassRole", "codebuild:CreateProject", "codebuild:StartBuild"], "role"),
    (["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"], "role"),
    (["iam:PassRole", "sagemaker:CreateTrainingJob"], "role"),
    (["lambda:UpdateFunctionCode"], "*"), (["ssm:SendCommand"], "*"),
]


def doc(stmts):
    return {"Version": "2012-10-17", "Statement": stmts}


def generate(principals: int, policies: int, seed: int) -> dict:
    rnd = random.Random(seed)
    n_roles, n_groups = principals // 2, max(1, principals * 8 // 100)
    n_users = principals - n_roles - n_groups
    users = [f"svc-{i:05d}" for i in range(n_users)]
    roles = [f"app/role-{i:05d}" for i in range(n_roles)]
    groups = [f"team-{i:04d}" for i in range(n_groups)]
    pols = []
    for i in range(policies):
        stmts = []
        for _ in range(rnd.randint(1, 3)):
            acts = rnd.sample(PLAIN, rnd.randint(2, 5))
            res = rnd.choice(["*", f"arn:aws:s3:::bucket-{rnd.randint(0, 300)}/*",
                              f"arn:aws:dynamodb:us-east-1:{ACCT}:table/t-{rnd.randint(0, 300)}"])
            stmts.append({"Effect": "Allow", "Action": acts, "Resource": res})
        if i % 12 == 0:
            acts, kind = rnd.choice(ESCALATING)
            if kind == "user":
                res = rnd.choice(["*", f"arn:aws:iam::{ACCT}:user/*",
                                  f"arn:aws:iam::{ACCT}:user/{rnd.choice(users)}"])
            elif kind == "role":
                res = rnd.choice(["*", f"arn:aws:iam::{ACCT}:role/app/*",
                                  f"arn:aws:iam::{ACCT}:role/{rnd.choice(roles)}"])
            else:
                res = "*"
            st = {"Effect": "Allow", "Action": acts, "Resource": res}
            if rnd.random() < 0.2:
                st["Condition"] = {"StringEquals": {"aws:RequestTag/team": "data"}}
            stmts.append(st)
        if i % 40 == 1:
            stmts.append({"Effect": "Deny", "Action": "iam:PassRole",
                          "Resource": f"arn:aws:iam::{ACCT}:role/app/role-0000*"})
        pols.append({"PolicyName": f"pol-{i:05d}", "Arn": f"arn:aws:iam::{ACCT}:policy/pol-{i:05d}",
                     "PolicyId": f"ANPA{i:017d}", "Path": "/", "DefaultVersionId": "v1",
                     "AttachmentCount": 1, "PermissionsBoundaryUsageCount": 0,
                     "IsAttachable": True, "CreateDate": "2024-01-01T00:00:00Z",
                     "UpdateDate": "2024-01-01T00:00:00Z",
                     "PolicyVersionList": [{"Document": doc(stmts), "VersionId": "v1",
                                            "IsDefaultVersion": True}]})
    boundary = f"arn:aws:iam::{ACCT}:policy/boundary"
    pols.append({"PolicyName": "boundary", "Arn": boundary, "PolicyId": "ANPABOUNDARY000000001",
                 "Path": "/", "DefaultVersionId": "v1", "AttachmentCount": 1,
                 "PermissionsBoundaryUsageCount": 1, "IsAttachable": True,
                 "CreateDate": "2024-01-01T00:00:00Z", "UpdateDate": "2024-01-01T00:00:00Z",
                 "PolicyVersionList": [{"Document": doc([{"Effect": "Allow",
                                                          "Action": ["s3:*", "dynamodb:*"],
                                                          "Resource": "*"}]),
                                        "VersionId": "v1", "IsDefaultVersion": True}]})

    def attached():
        return [{"PolicyName": p["PolicyName"], "PolicyArn": p["Arn"]}
                for p in rnd.sample(pols[:-1], rnd.randint(3, 5))]

    def inline(name):
        acts = rnd.sample(PLAIN, 3)
        return [{"PolicyName": f"{name}-inline", "PolicyDocument": doc(
            [{"Effect": "Allow", "Action": acts, "Resource": "*"}])}]

    def bound(entry):
        if rnd.random() < 0.05:
            entry["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy",
                                            "PermissionsBoundaryArn": boundary}
        return entry

    out_users = [bound({"UserName": u, "Arn": f"arn:aws:iam::{ACCT}:user/{u}", "Path": "/",
                        "UserId": f"AIDA{i:017d}", "CreateDate": "2024-01-01T00:00:00Z",
                        "GroupList": rnd.sample(groups, rnd.randint(0, 2)),
                        "AttachedManagedPolicies": attached(), "UserPolicyList": inline(u)})
                 for i, u in enumerate(users)]
    out_groups = [{"GroupName": g, "Arn": f"arn:aws:iam::{ACCT}:group/{g}", "Path": "/",
                   "GroupId": f"AGPA{i:017d}", "AttachedManagedPolicies": attached(),
                   "GroupPolicyList": inline(g)} for i, g in enumerate(groups)]
    out_roles = []
    for i, r in enumerate(roles):
        choice = rnd.random()
        if choice < 0.6:
            principal = {"Service": rnd.choice(SERVICES)}
        elif choice < 0.9:
            principal = {"AWS": f"arn:aws:iam::{ACCT}:root"}
        else:
            principal = {"AWS": f"arn:aws:iam::{ACCT}:role/{rnd.choice(roles)}"}
        out_roles.append(bound({
            "RoleName": r.rsplit("/", 1)[-1], "Path": "/app/",
            "Arn": f"arn:aws:iam::{ACCT}:role/{r}", "RoleId": f"AROA{i:017d}",
            "CreateDate": "2024-01-01T00:00:00Z",
            "AssumeRolePolicyDocument": doc([{"Effect": "Allow", "Principal": principal,
                                              "Action": "sts:AssumeRole"}]),
            "InstanceProfileList": [], "AttachedManagedPolicies": attached(),
            "RolePolicyList": inline(r.rsplit("/", 1)[-1])}))
    return {"UserDetailList": out_users, "GroupDetailList": out_groups,
            "RoleDetailList": out_roles, "Policies": pols}


def measure(cmd: list[str], cwd: Path) -> dict:
    """Wall, CPU (user+system) and peak RSS of one CLI process (and what it waited for)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out.decode()[-2000:]}")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mb": ru.ru_maxrss / 1024,
            "output": out}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--principals", type=int, default=2000)
    ap.add_argument("--policies", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=None)
    ap.add_argument("--rule", action="append", default=None,
                    help="only these findings rules (repeatable; default all; 'none': ingest "
                         "only)")
    ap.add_argument("--cloudsplaining", default=shutil.which("cloudsplaining") or
                    str(Path(sys.executable).parent / "cloudsplaining"))
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="nhigraph-privesc-"))
    work.mkdir(parents=True, exist_ok=True)
    data = generate(args.principals, args.policies, args.seed)
    path = work / "authorization-details.json"
    path.write_text(json.dumps(data))
    print(f"generated {path}: {len(data['UserDetailList'])} users, "
          f"{len(data['GroupDetailList'])} groups, {len(data['RoleDetailList'])} roles, "
          f"{len(data['Policies'])} policies, {path.stat().st_size / 1e6:.1f} MB")
    nh = shutil.which("nhigraph", path=str(Path(sys.executable).parent)) or "nhigraph"
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    rules = "".join(f" --rule {r}" for r in args.rule or [])
    script = f"set -e; {nh} ingest aws-iam {path} --store {store}"
    if args.rule != ["none"]:
        script += (f"; {nh} findings --store {store} --format json{rules} "
                   f"> {work / 'findings.json'}")
    ours = measure(["sh", "-c", script], ROOT)
    esc = []
    if args.rule != ["none"]:
        found = json.loads((work / "findings.json").read_text())
        rows = found.get("findings", found) if isinstance(found, dict) else found
        esc = [r for r in rows if r["rule"] == "privilege-escalation"]
    cs_out = work / "cloudsplaining"
    shutil.rmtree(cs_out, ignore_errors=True)
    cs_out.mkdir()
    theirs = measure([args.cloudsplaining, "scan", "-i", str(path), "-o", str(cs_out), "-s"],
                     work)
    results = next(cs_out.glob("iam-results-*.json"))
    cs = json.loads(results.read_text())
    flagged = _cloudsplaining_principals(cs)
    print(f"\n{'tool':<60} {'wall s':>8} {'CPU s':>8} {'peak RSS MB':>12}")
    what = "ingest aws-iam" + ("" if args.rule == ["none"] else
                               " + findings" + (f" ({', '.join(args.rule)})" if args.rule else ""))
    for name, m in ((f"nhigraph {what}", ours),
                    ("cloudsplaining scan", theirs)):
        print(f"{name:<60} {m['wall']:>8.1f} {m['cpu']:>8.1f} {m['rss_mb']:>12.0f}")
    print(f"\nratio cloudsplaining / nhigraph: wall {theirs['wall'] / ours['wall']:.2f}x, "
          f"CPU {theirs['cpu'] / ours['cpu']:.2f}x")
    print(f"principals with a privilege-escalation finding: nhigraph {len(esc)}, "
          f"cloudsplaining {len(flagged)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


def _cloudsplaining_principals(cs: dict) -> set[str]:
    flagged = set()
    pe = {pid for sec in ("aws_managed_policies", "customer_managed_policies", "inline_policies")
          for pid, p in cs.get(sec, {}).items()
          if (p.get("PrivilegeEscalation") or {}).get("findings")}
    for kind in ("users", "groups", "roles"):
        for p in cs.get(kind, {}).values():
            pols = [x for k in ("aws_managed_policies", "customer_managed_policies",
                                "inline_policies") for x in (p.get(k) or {})]
            if any(x in pe for x in pols):
                flagged.add(p.get("arn") or p.get("name"))
    return flagged


if __name__ == "__main__":
    main()
