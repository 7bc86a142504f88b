#!/usr/bin/env python3
"""Reference OSV evaluation with Python's `packaging` (Debian python3-packaging), for cross-checking
pedigree's matcher (scripts/cross-check-osv.ts runs this and compares).

Reads every record of a PyPA-style advisory database (YAML loaded with BaseLoader, so every scalar stays the
string written), builds test versions for each PyPI `affected` entry (every version the entry names, and
.dev0 / rc1 / .post1 / +local neighbours of each event version) and prints one JSON line per case:
{"id", "name", "version", "affected": true/false/null}, null when packaging cannot parse the version.

The evaluation follows the OSV schema's "Evaluation" section: a version is affected when it equals (PEP 440
equality) an entry of `versions`, or when, walking the ECOSYSTEM range's events sorted by version, an
`introduced` at or below it is not followed by a `fixed` at or below it or a `last_affected` below it;
`limit` events cap the range; GIT ranges are skipped. Nothing here loads untrusted code: YAML is parsed
with BaseLoader (no object construction) and versions with packaging.
"""
import functools
import json
import os
import sys

import yaml
from packaging.version import InvalidVersion, Version

MIN, MAX = "MIN", "MAX"


def parse(value):
    try:
        return Version(value)
    except (InvalidVersion, TypeError):
        return None


def key(v):
    # Events sort with "0" lowest and "*" highest.
    if v is MIN:
        return (0, None)
    if v is MAX:
        return (2, None)
    return (1, v)


def lt(a, b):
    ka, kb = key(a), key(b)
    if ka[0] != kb[0]:
        return ka[0] < kb[0]
    if ka[0] != 1:
        return False
    return ka[1] < kb[1]


def cmp(a, b):
    return -1 if lt(a, b) else (1 if lt(b, a) else 0)


def is_affected(entry, version):
    v = parse(version)
    if v is None:
        return None
    for listed in entry.get("versions") or []:
        p = parse(listed)
        if p is not None and p == v:
            return True
    for rng in entry.get("ranges") or []:
        if rng.get("type") not in ("ECOSYSTEM", "SEMVER"):
            continue
        events, limits = [], []
        for event in rng.get("events") or []:
            for kind, raw in event.items():
                if kind == "introduced":
                    at = MIN if raw == "0" else parse(raw)
                elif kind == "limit":
                    at = MAX if raw == "*" else parse(raw)
                else:
                    at = parse(raw)
                if at is None:
                    continue
                (limits if kind == "limit" else events).append((kind, at))
        if limits and not any(lt(v, at) for _, at in limits):
            continue
        events.sort(key=functools.cmp_to_key(lambda a, b: cmp(a[1], b[1])))
        affected = False
        for kind, at in events:
            if kind == "introduced" and not lt(v, at):
                affected = True
            elif kind == "fixed" and not lt(v, at):
                affected = False
            elif kind == "last_affected" and lt(at, v):
                affected = False
        if affected:
            return True
    return False


def candidates(entry):
    out = set(entry.get("versions") or [])
    for rng in entry.get("ranges") or []:
        if rng.get("type") == "GIT":
            continue
        for event in rng.get("events") or []:
            for raw in event.values():
                if raw in ("0", "*"):
                    continue
                out.add(raw)
                p = parse(raw)
                if p is None:
                    continue
                base = p.base_version
                out.update({f"{base}.dev0", f"{base}rc1", f"{base}.post1", f"{raw}+local.7", f"{base}.0.1"})
    out.add("0.0.1")
    out.add("99999.0")
    return sorted(out)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/pypa-advisory-db"
    vulns = os.path.join(root, "vulns") if os.path.isdir(os.path.join(root, "vulns")) else root
    for directory, _, files in sorted(os.walk(vulns)):
        for name in sorted(files):
            if not name.endswith((".yaml", ".yml")):
                continue
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                record = yaml.load(f, Loader=yaml.BaseLoader)
            if not isinstance(record, dict) or record.get("withdrawn"):
                continue
            for entry in record.get("affected") or []:
                pkg = entry.get("package") or {}
                if pkg.get("ecosystem") != "PyPI":
                    continue
                for version in candidates(entry):
                    print(json.dumps({"id": record.get("id"), "name": pkg.get("name"), "version": version,
                                      "affected": is_affected(entry, version)}))


if __name__ == "__main__":
    main()
