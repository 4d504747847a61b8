import csv, sys

with open(sys.argv[1], newline="") as f:
    rows = list(csv.DictReader(f))
print(f"{len(rows)} rows; columns: {', '.join(rows[0].keys()) if rows else '(none)'}")
