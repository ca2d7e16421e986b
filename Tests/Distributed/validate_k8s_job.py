#!/usr/bin/env python3
"""The README's Kubernetes Indexed Job ("Past one machine"), validated without a cluster.

The ```yaml block after "As a Kubernetes Indexed Job" in README.md is checked against the
batch/v1 Job schema of every Kubernetes version kubernetes-validate ships (strict: an unknown or
misspelt field is an error), and for what the recipe relies on: Indexed completion mode, one pod
per shard (`completions` = `parallelism` = `--shards N`), the shard's database named by
JOB_COMPLETION_INDEX on the mounted volume, pods not restarted in place. A copy with a misspelt
field must be refused, so a validator that accepts anything fails this test.

Usage: PYTHONPATH=<kubernetes-validate> validate_k8s_job.py README.md
"""
import copy
import re
import sys

import kubernetes_validate
import yaml
from kubernetes_validate import utils


def readme_block(path, after):
    text = open(path, encoding="utf-8").read()
    start = text.find(after)
    if start < 0:
        sys.exit(f"{path}: no '{after}'")
    match = re.search(r"^```yaml\n(.*?)^```", text[start:], re.S | re.M)
    if not match:
        sys.exit(f"{path}: no ```yaml block after '{after}'")
    return match.group(1)


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else "README.md"
    job = yaml.safe_load(readme_block(readme, "As a Kubernetes Indexed Job"))
    versions = sorted(set(utils.all_versions()), key=lambda v: tuple(int(x) for x in v.split(".")))
    failures = []
    for version in versions:
        try:
            kubernetes_validate.validate(job, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            failures.append(f"Kubernetes {version}: {error}")
    if failures:
        sys.exit("README's Indexed Job is not a valid batch/v1 Job:\n  " + "\n  ".join(failures))

    spec = job["spec"]
    pod = spec["template"]["spec"]
    command = " ".join(pod["containers"][0]["command"])
    shards = re.search(r"--shards (\d+)", command)
    problems = []
    if job["kind"] != "Job" or job["apiVersion"] != "batch/v1":
        problems.append("not a batch/v1 Job")
    if spec.get("completionMode") != "Indexed":
        problems.append("completionMode is not Indexed (no JOB_COMPLETION_INDEX)")
    if not shards or not spec.get("completions") == spec.get("parallelism") == int(shards.group(1)):
        problems.append("completions, parallelism and --shards N differ")
    if "$JOB_COMPLETION_INDEX" not in command or "headroom sweep" not in command:
        problems.append("the command is not `headroom sweep ... --db ...$JOB_COMPLETION_INDEX...`")
    mounts = [m["mountPath"] for m in pod["containers"][0].get("volumeMounts", [])]
    db = re.search(r"--db (\S+)", command)
    if not db or not any(db.group(1).startswith(m.rstrip("/") + "/") for m in mounts):
        problems.append("the shard's --db is not on a mounted volume (it would be lost with the pod)")
    if pod.get("restartPolicy") != "Never":
        problems.append("restartPolicy is not Never")
    if problems:
        sys.exit("README's Indexed Job: " + "; ".join(problems))

    # The validator itself: a misspelt field must be refused.
    broken = copy.deepcopy(job)
    broken["spec"]["completionMod"] = broken["spec"].pop("completionMode")
    try:
        kubernetes_validate.validate(broken, versions[-1], strict=True)
    except kubernetes_validate.ValidationError:
        pass
    else:
        sys.exit("kubernetes-validate accepted a Job with a misspelt field: the check above proves nothing")
    print(f"k8s-job: README's Indexed Job is a valid batch/v1 Job for Kubernetes {versions[0]}–{versions[-1]} "
          f"({spec['completions']} indexed pods, one shard each)")


if __name__ == "__main__":
    main()
