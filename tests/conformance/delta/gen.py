"""gen.py - writes random Delta tables whose expected snapshots are known by construction.

Commits are JSON written here; data files and Parquet checkpoints (classic, multi-part, v2
with sidecars) are written by DuckDB.  Every operation records what a correct reader must
answer: the active files after each version, and each commit's file actions.
"""
import json
import os
import random
import uuid

import common

ADD_T = ("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
         "modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags MAP(VARCHAR, VARCHAR), "
         "deletionVector STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, "
         "sizeInBytes INTEGER, cardinality BIGINT))")
ADD_PARSED_T = ("STRUCT(path VARCHAR, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
                "modificationTime BIGINT, dataChange BOOLEAN, tags MAP(VARCHAR, VARCHAR), "
                "deletionVector STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, "
                "sizeInBytes INTEGER, cardinality BIGINT), stats_parsed STRUCT(numRecords BIGINT, "
                "minValues STRUCT(id BIGINT, v VARCHAR), maxValues STRUCT(id BIGINT, v VARCHAR), "
                "nullCount STRUCT(id BIGINT, v BIGINT)))")
REMOVE_T = ("STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, "
            "extendedFileMetadata BOOLEAN, partitionValues MAP(VARCHAR, VARCHAR), size BIGINT, "
            "deletionVector STRUCT(storageType VARCHAR, pathOrInlineDv VARCHAR, \"offset\" INTEGER, "
            "sizeInBytes INTEGER, cardinality BIGINT))")
META_T = ("STRUCT(id VARCHAR, name VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, "
          "options MAP(VARCHAR, VARCHAR)), schemaString VARCHAR, partitionColumns VARCHAR[], "
          "configuration MAP(VARCHAR, VARCHAR), createdTime BIGINT)")
PROTO_T = ("STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], "
           "writerFeatures VARCHAR[])")
TXN_T = "STRUCT(appId VARCHAR, version BIGINT, lastUpdated BIGINT)"
CPMETA_T = "STRUCT(version BIGINT)"
SIDECAR_T = "STRUCT(path VARCHAR, sizeInBytes BIGINT, modificationTime BIGINT)"


def schema(with_w):
    fields = [{"name": "p", "type": "integer", "nullable": True, "metadata": {}},
              {"name": "id", "type": "long", "nullable": True, "metadata": {}},
              {"name": "v", "type": "string", "nullable": True, "metadata": {}}]
    if with_w:
        fields.append({"name": "w", "type": "string", "nullable": True, "metadata": {}})
    return json.dumps({"type": "struct", "fields": fields})


class Table:
    def __init__(self, root, seed):
        self.root = str(root)
        self.rng = random.Random(seed)
        self.log = os.path.join(self.root, "_delta_log")
        os.makedirs(self.log)
        os.makedirs(os.path.join(self.log, "_sidecars"))
        self.sql = []
        self.version = -1
        self.active = {}          # path -> add
        self.tombstones = {}      # path -> remove
        self.snapshots = []       # version -> {path: add}
        self.metas = []           # version -> metaData
        self.commits = []         # version -> [(kind, path, dataChange)]
        self.rows = {}            # data path -> (p, first id, count)
        self.next_id = 0
        self.modern = self.rng.random() < 0.6
        self.cdf = self.rng.random() < 0.5
        self.with_w = False
        self.txn = None
        self.checkpoints = []     # (version, kind)
        self.proto = ({"minReaderVersion": 3, "minWriterVersion": 7,
                       "readerFeatures": ["deletionVectors", "v2Checkpoint"],
                       "writerFeatures": ["deletionVectors", "v2Checkpoint"]}
                      if self.modern else {"minReaderVersion": 1, "minWriterVersion": 2})
        conf = {"delta.enableChangeDataFeed": "true"} if self.cdf else {}
        self.meta = {"id": str(uuid.UUID(int=self.rng.getrandbits(128))), "format":
                     {"provider": "parquet", "options": {}}, "schemaString": schema(False),
                     "partitionColumns": ["p"], "configuration": conf, "createdTime": 1600000000000}

    # ---------------------------------------------------------------- data
    def new_file(self):
        p = self.rng.choice([0, 1, 2, 3, None])
        n = self.rng.choice([0, 1, 5, 10, 20])
        first = self.next_id
        self.next_id += n + self.rng.randint(0, 5)
        pdir = "p=%s" % ("__HIVE_DEFAULT_PARTITION__" if p is None else p)
        name = "%s/part-%s %%.snappy.parquet" % (pdir, uuid.UUID(int=self.rng.getrandbits(128)))
        full = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        w = ", 'w' || range::VARCHAR AS w" if self.with_w else ""
        self.sql.append(f"COPY (SELECT range::BIGINT AS id, 'v' || lpad(range::VARCHAR, 6, '0') AS v{w} "
                        f"FROM range({first}, {first + n})) TO {common.sql_str(full)} (FORMAT parquet)")
        self.rows[name] = (p, first, n)
        stats = {"numRecords": n}
        if n:
            stats.update({"minValues": {"id": first, "v": "v%06d" % first},
                          "maxValues": {"id": first + n - 1, "v": "v%06d" % (first + n - 1)},
                          "nullCount": {"id": 0, "v": 0}})
        path = name.replace("%", "%25").replace(" ", "%20")
        return {"path": path, "partitionValues": {"p": None if p is None else str(p)},
                "size": 100 + n, "modificationTime": 1600000000000 + self.version,
                "dataChange": True, "stats": json.dumps(stats, separators=(",", ":"))}

    # ---------------------------------------------------------------- commits
    def commit(self, actions, files):
        self.version += 1
        v = self.version
        lines = [{"commitInfo": {"timestamp": 1600000000000 + v, "operation": "TEST"}}] + actions
        self.rng.shuffle(lines)
        with open(os.path.join(self.log, "%020d.json" % v), "w") as f:
            for a in lines:
                f.write(json.dumps(a, separators=(",", ":")) + "\n")
        self.snapshots.append(dict(self.active))
        self.metas.append(self.meta)
        self.commits.append(files)

    def key(self, a):
        dv = a.get("deletionVector")
        return (a["path"], dv["pathOrInlineDv"] if dv else None)

    def op_create(self):
        adds = [self.new_file() for _ in range(self.rng.randint(1, 3))]
        for a in adds:
            self.active[self.key(a)] = a
        self.commit([{"protocol": self.proto}, {"metaData": self.meta}] + [{"add": a} for a in adds],
                    [("add", a["path"], True) for a in adds])

    def remove_of(self, a, data_change=True):
        r = {"path": a["path"], "deletionTimestamp": 1700000000000, "dataChange": data_change,
             "extendedFileMetadata": True, "partitionValues": a["partitionValues"], "size": a["size"]}
        if "deletionVector" in a:
            r["deletionVector"] = a["deletionVector"]
        self.tombstones[a["path"]] = r
        return r

    def op_append(self):
        adds = [self.new_file() for _ in range(self.rng.randint(1, 3))]
        for a in adds:
            self.active[self.key(a)] = a
        self.commit([{"add": a} for a in adds], [("add", a["path"], True) for a in adds])

    def op_remove(self):
        if not self.active:
            return self.op_append()
        victims = self.rng.sample(sorted(self.active), min(len(self.active), self.rng.randint(1, 2)))
        acts, files = [], []
        for k in victims:
            r = self.remove_of(self.active.pop(k))
            acts.append({"remove": r})
            files.append(("remove", r["path"], True))
        if self.cdf:
            acts.append({"cdc": {"path": "_change_data/cdc-%d.parquet" % (self.version + 1),
                                 "partitionValues": {}, "size": 10, "dataChange": False}})
            files = [("cdc", "_change_data/cdc-%d.parquet" % (self.version + 1), False)] + files
        self.commit(acts, files)

    def op_overwrite(self):
        acts, files = [], []
        for k in sorted(self.active):
            r = self.remove_of(self.active.pop(k))
            acts.append({"remove": r})
            files.append(("remove", r["path"], True))
        adds = [self.new_file() for _ in range(self.rng.randint(1, 2))]
        for a in adds:
            self.active[self.key(a)] = a
            acts.append({"add": a})
            files.append(("add", a["path"], True))
        self.commit(acts, files)

    def op_compact(self):
        """dataChange=false rewrite: the removed files' rows move into a new file."""
        cands = [k for k in sorted(self.active) if "deletionVector" not in self.active[k]]
        if len(cands) < 2:
            return self.op_append()
        acts, files = [], []
        for k in cands[:2]:
            r = self.remove_of(self.active.pop(k), data_change=False)
            acts.append({"remove": r})
            files.append(("remove", r["path"], False))
        a = self.new_file()
        a["dataChange"] = False
        self.active[self.key(a)] = a
        acts.append({"add": a})
        files.append(("add", a["path"], False))
        self.commit(acts, files)

    def op_schema(self):
        self.with_w = True
        self.meta = dict(self.meta, schemaString=schema(True))
        a = self.new_file()
        self.active[self.key(a)] = a
        self.commit([{"metaData": self.meta}, {"add": a}], [("add", a["path"], True)])

    def op_dv(self):
        cands = [k for k in sorted(self.active) if json.loads(self.active[k]["stats"])["numRecords"] > 1]
        if not self.modern or not cands:
            return self.op_append()
        k = self.rng.choice(cands)
        old = self.active.pop(k)
        r = self.remove_of(old)
        new = dict(old, dataChange=True)
        new["deletionVector"] = {"storageType": "i", "pathOrInlineDv": "wi5b=000010000siXQKl0rr91%06d" % self.version,
                                 "sizeInBytes": 40, "cardinality": 1}
        self.active[self.key(new)] = new
        self.commit([{"remove": r}, {"add": new}], [("remove", r["path"], True), ("add", new["path"], True)])

    def op_txn(self):
        self.txn = {"appId": "app", "version": self.version + 1, "lastUpdated": 1}
        self.commit([{"txn": self.txn}], [])

    # ---------------------------------------------------------------- checkpoints
    def checkpoint(self, kind):
        v = self.version
        rows = [{"protocol": self.proto}, {"metaData": self.meta}]
        if self.txn:
            rows.append({"txn": self.txn})
        files = [{"add": a} for a in self.active.values()] + \
                [{"remove": r} for p, r in self.tombstones.items()
                 if not any(k[0] == p for k in self.active)]
        self.rng.shuffle(files)
        cols = {"add": ADD_T, "remove": REMOVE_T, "metaData": META_T, "protocol": PROTO_T, "txn": TXN_T}
        if kind == "classic":
            self.write_parquet("%020d.checkpoint.parquet" % v, rows + files, cols)
        elif kind == "parsed":
            # Typed statistics only (no JSON stats column), as writeStatsAsJson=false does.
            conv = []
            for r in files:
                if "add" in r:
                    a = dict(r["add"])
                    a["stats_parsed"] = json.loads(a.pop("stats"))
                    r = {"add": a}
                conv.append(r)
            self.write_parquet("%020d.checkpoint.parquet" % v, rows + conv, dict(cols, add=ADD_PARSED_T))
        elif kind == "multi":
            n = self.rng.randint(2, 3)
            allrows = rows + files
            for i in range(n):
                self.write_parquet("%020d.checkpoint.%010d.%010d.parquet" % (v, i + 1, n),
                                   allrows[i::n], cols)
        else:
            if not self.modern:
                return self.checkpoint("classic")
            nsc = self.rng.randint(1, 2)
            sidecars = []
            for i in range(nsc):
                name = "%020d.checkpoint.%010d.%010d.%s.parquet" % (v, i + 1, nsc, uuid.UUID(int=self.rng.getrandbits(128)))
                self.write_parquet("_sidecars/" + name, files[i::nsc], {"add": ADD_T, "remove": REMOVE_T})
                sidecars.append({"sidecar": {"path": name, "sizeInBytes": 1, "modificationTime": 1}})
            top = [{"checkpointMetadata": {"version": v}}] + rows + sidecars
            u = uuid.UUID(int=self.rng.getrandbits(128))
            if kind == "v2json":
                with open(os.path.join(self.log, "%020d.checkpoint.%s.json" % (v, u)), "w") as f:
                    for r in top:
                        f.write(json.dumps(r) + "\n")
            else:
                c2 = dict(cols, checkpointMetadata=CPMETA_T, sidecar=SIDECAR_T)
                self.write_parquet("%020d.checkpoint.%s.parquet" % (v, u), top, c2)
        self.checkpoints.append((v, kind))
        last = {"version": v, "size": len(rows) + len(files)}
        mode = self.rng.choice(["good", "good", "stale", "corrupt", "missing"])
        path = os.path.join(self.log, "_last_checkpoint")
        if mode == "good":
            open(path, "w").write(json.dumps(last))
        elif mode == "corrupt":
            open(path, "w").write('{"version":')
        elif mode == "stale" and len(self.checkpoints) == 1:
            open(path, "w").write(json.dumps({"version": max(0, v - 3)}))
        elif mode == "missing" and os.path.exists(path):
            os.unlink(path)

    def write_parquet(self, rel, rows, cols):
        js = os.path.join(self.log, rel + ".src.jsonl")
        with open(js, "w") as f:
            for r in rows:
                f.write(json.dumps(r) + "\n")
        colspec = ", ".join(f"{k}: '{t}'" for k, t in cols.items())
        out = os.path.join(self.log, rel)
        self.sql.append(f"COPY (SELECT * FROM read_json({common.sql_str(js)}, columns={{{colspec}}}, "
                        f"format='newline_delimited')) TO {common.sql_str(out)} (FORMAT parquet)")
        self.sql.append(f"SELECT 1")   # keeps job indexes simple
        self.cleanup_after.append(js)

    cleanup_after = None

    def build(self, ncommits):
        self.cleanup_after = []
        self.op_create()
        ops = [self.op_append, self.op_append, self.op_remove, self.op_overwrite, self.op_compact,
               self.op_schema, self.op_dv, self.op_txn]
        for _ in range(ncommits):
            self.rng.choice(ops)()
            if self.rng.random() < 0.3:
                self.checkpoint(self.rng.choice(["classic", "multi", "v2json", "v2parquet", "parsed"]))
        return self.sql

    def finish(self, results):
        for r in results:
            if isinstance(r, Exception):
                raise r
        for js in self.cleanup_after:
            os.unlink(js)

    def expected_rows(self, version):
        """(physical rows, sum of ids) of the files active at version."""
        n = s = 0
        for a in self.snapshots[version].values():
            name = a["path"].replace("%20", " ").replace("%25", "%")
            p, first, cnt = self.rows[name]
            n += cnt
            s += sum(range(first, first + cnt))
        return n, s
