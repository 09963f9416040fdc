#!/usr/bin/env python3
"""How fast this disk makes a directory and writes a small file in it, one
after the other: the floor under every job's `<data>/jobs/<id>/result.json`.
Prints one JSON object."""
import json, os, shutil, sys, tempfile, time

under, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 20000
os.makedirs(under, exist_ok=True)
root = tempfile.mkdtemp(prefix="fs-baseline-", dir=under)
start = time.perf_counter()
for i in range(count):
    os.mkdir(f"{root}/{i}")
    with open(f"{root}/{i}/result.json", "w") as f:
        f.write('{"n":1}')
seconds = time.perf_counter() - start
shutil.rmtree(root)
print(json.dumps({"benchmark": "fs-baseline", "data_under": under, "directories": count,
                  "seconds": round(seconds, 3), "per_s": round(count / seconds)}))
