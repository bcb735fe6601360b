#!/usr/bin/env python3
"""Validates rendered Kubernetes manifests, offline, against the JSON schemas that PyPI's
kubernetes-validate ships (one strict schema set per Kubernetes minor version).

Stricter than its CLI: a kind/apiVersion without a schema (a removed or misspelt API such as
autoscaling/v2beta1) fails instead of warning. Prints one JSON line {"checked", "errors"} and
exits 1 when any document fails.

  validate-manifests.py --kube-version 1.29 rendered.yaml [more.yaml ...]
"""
import argparse
import json
import sys

import kubernetes_validate
import yaml


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kube-version", required=True)
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()

    checked = 0
    errors = []
    for filename in args.files:
        with open(filename, encoding="utf-8") as handle:
            documents = [doc for doc in yaml.safe_load_all(handle) if doc]
        for doc in documents:
            checked += 1
            where = "%s %s/%s" % (filename, doc.get("kind"), (doc.get("metadata") or {}).get("name"))
            try:
                kubernetes_validate.validate(doc, args.kube_version, strict=True)
            except kubernetes_validate.ValidationError as error:
                path = ".".join(str(item) for item in error.path)
                errors.append("%s: %s: %s" % (where, path or "(root)", error.message))
            except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as error:
                errors.append("%s: %s" % (where, error.message))
    print(json.dumps({"kubeVersion": args.kube_version, "checked": checked, "errors": errors}))
    return 1 if errors or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
