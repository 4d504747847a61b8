"""deltagen.py - writes small Delta tables (JSON commits, placeholder data files) whose expected state is known by construction."""
import json
import os

SCHEMA = {"type": "struct", "fields": [
    {"name": "id", "type": "long", "nullable": True, "metadata": {}},
    {"name": "value", "type": "string", "nullable": True, "metadata": {}},
    {"name": "part", "type": "string", "nullable": True, "metadata": {}}]}


class Table:
    """A table under construction; commit() appends a version."""

    def __init__(self, root, cdf=True, partitioned=True, table_id="0b7a2c7e-3f1d-4c55-9e0a-6d1b2c3d4e5f"):
        self.root = root
        self.version = -1
        os.makedirs(os.path.join(root, "_delta_log"), exist_ok=True)
        self.meta = {"id": table_id, "name": os.path.basename(root), "format": {"provider": "parquet", "options": {}},
                     "schemaString": json.dumps(SCHEMA), "partitionColumns": ["part"] if partitioned else [],
                     "configuration": {"delta.enableChangeDataFeed": "true"} if cdf else {},
                     "createdTime": 1700000000000}
        self.active = {}          # path -> add action
        self.timestamps = []

    def data_file(self, name, content=None):
        path = os.path.join(self.root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content if content is not None else ("data of %s\n" % name).encode() * 3
        with open(path, "wb") as f:
            f.write(data)
        return len(data)

    def add(self, name, part="a", rows=10, lo=0, hi=9, data_change=True):
        size = self.data_file(name)
        stats = {"numRecords": rows, "minValues": {"id": lo, "value": "v%d" % lo},
                 "maxValues": {"id": hi, "value": "v%d" % hi}, "nullCount": {"id": 0, "value": 0}}
        pv = {"part": part} if self.meta["partitionColumns"] else {}
        return {"add": {"path": name, "partitionValues": pv, "size": size, "modificationTime": 1700000000000,
                        "dataChange": data_change, "stats": json.dumps(stats)}}

    def remove(self, name, data_change=True):
        a = self.active[name]
        return {"remove": {"path": name, "deletionTimestamp": 1700000000001, "dataChange": data_change,
                           "partitionValues": a["partitionValues"], "size": a["size"]}}

    def cdc(self, name, part="a"):
        size = self.data_file(name)
        pv = {"part": part} if self.meta["partitionColumns"] else {}
        return {"cdc": {"path": name, "partitionValues": pv, "size": size, "dataChange": False}}

    def commit(self, actions, timestamp_ms, metadata=False):
        self.version += 1
        lines = [{"commitInfo": {"timestamp": timestamp_ms, "operation": "WRITE"}}]
        if self.version == 0:
            lines.append({"protocol": {"minReaderVersion": 1, "minWriterVersion": 2}})
            lines.append({"metaData": self.meta})
        elif metadata:
            lines.append({"metaData": self.meta})
        lines.extend(actions)
        for a in actions:
            if "add" in a:
                self.active[a["add"]["path"]] = a["add"]
            elif "remove" in a:
                self.active.pop(a["remove"]["path"], None)
        path = os.path.join(self.root, "_delta_log", "%020d.json" % self.version)
        with open(path, "w") as f:
            for a in lines:
                f.write(json.dumps(a) + "\n")
        # Commit timestamps come from the commit file's modification time.
        os.utime(path, ns=(timestamp_ms * 1000000, timestamp_ms * 1000000))
        self.timestamps.append(timestamp_ms)
        return self.version
