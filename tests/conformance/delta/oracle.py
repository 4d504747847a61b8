"""oracle.py - an independent replay of Delta JSON commits, used as the expected answer by the conformance tests.

It reads only the JSON commit files (never checkpoints), so it is a check of the
engine's checkpoint handling as much as of its replay.
"""
import json
import os
import re
import urllib.parse

COMMIT_RE = re.compile(r'^(\d{20})\.json$')


def commit_versions(table):
    log = os.path.join(table, '_delta_log')
    out = []
    for name in os.listdir(log):
        m = COMMIT_RE.match(name)
        if m:
            out.append(int(m.group(1)))
    return sorted(out)


def read_commit(table, v):
    path = os.path.join(table, '_delta_log', '%020d.json' % v)
    actions = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line:
                actions.append(json.loads(line))
    return actions


def canonical_path(p):
    if p.startswith('file:'):
        p = p[5:]
        if p.startswith('//'):
            p = p[2:]
            i = p.find('/')
            p = p[i:] if i >= 0 else ''
    return urllib.parse.unquote(p)


def dv_id(dv):
    if not dv:
        return None
    s = dv['storageType'] + dv['pathOrInlineDv']
    if dv.get('offset') is not None:
        s += '@%d' % dv['offset']
    return s


def file_key(a):
    return (canonical_path(a['path']), dv_id(a.get('deletionVector')))


def snapshot(table, version):
    """Returns (protocol, metaData, {key: add}) at version, from commits 0..version."""
    active = {}
    protocol = meta = None
    for v in range(0, version + 1):
        for a in read_commit(table, v):
            if 'add' in a:
                active[file_key(a['add'])] = a['add']
            elif 'remove' in a:
                active.pop(file_key(a['remove']), None)
            elif 'protocol' in a:
                protocol = a['protocol']
            elif 'metaData' in a:
                meta = a['metaData']
    return protocol, meta, active


def has_gap(table, version):
    vs = set(commit_versions(table))
    return any(v not in vs for v in range(0, version + 1))


def changes(table, start, end, cdf=False):
    """[(version, kind, canonical path)] the way the engine reports a window."""
    out = []
    for v in range(start, end + 1):
        acts = read_commit(table, v)
        has_cdc = any('cdc' in a for a in acts)
        for a in acts:
            for kind in ('add', 'remove', 'cdc'):
                if kind not in a:
                    continue
                f = a[kind]
                if cdf:
                    if has_cdc and kind != 'cdc':
                        continue
                    if not has_cdc and (kind == 'cdc' or not f.get('dataChange', True)):
                        continue
                out.append((v, kind, canonical_path(f['path'])))
    return out
