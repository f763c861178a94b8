"""Run SQL in chdb, an in-process current ClickHouse, for current_engine_test.go.

Reads {"statements": [...], "queries": [...]} as JSON on stdin, runs every
statement in order in one session, then each query, and prints
{"version": ..., "results": [TSV text, ...]} as JSON. A failing statement
exits 1 with the statement and the server's error on stderr.
"""
import json
import sys

from chdb import session


def main():
    job = json.load(sys.stdin)
    s = session.Session()
    version = str(s.query("SELECT version()", "TSV")).strip()
    for stmt in job.get("statements") or []:
        try:
            s.query(stmt)
        except Exception as e:  # chdb raises its own error type per version
            sys.stderr.write(f"statement failed: {e}\n{stmt}\n")
            sys.exit(1)
    results = []
    for q in job.get("queries") or []:
        try:
            results.append(str(s.query(q, "TSV")))
        except Exception as e:
            sys.stderr.write(f"query failed: {e}\n{q}\n")
            sys.exit(1)
    json.dump({"version": version, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
