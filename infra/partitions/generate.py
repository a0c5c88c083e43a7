#!/usr/bin/env python3
"""The AWS partition table each function's SDK clients load, one file per partition.

Every SDK client (DynamoDB, SES, SQS, ...) parses the partition table its crate embeds the
first time it is built: eight partitions and a regular expression each to compile, about
75 microseconds of every cold start per client. A function runs in one partition, so it
needs one: `make build` puts these files beside each bootstrap and template.yaml points
`SMITHY_CLIENT_SDK_CUSTOM_PARTITION` (the SDK's own setting) at the deployment's partition,
`/var/task/partitions/${AWS::Partition}.json`.

The files are the SDK's table, split: this script reads it from the aws-sdk crates in the
lockfile (`cargo metadata`) and writes `infra/partitions/<partition id>.json`. With
`--check` it writes nothing and fails when the files differ from the SDK's table, or when
the service crates the functions use disagree about it (`make template` runs the check, so
an SDK upgrade that changes the table cannot ship stale files).
"""
import json
import pathlib
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CRATES = [
    "aws-sdk-dynamodb",
    "aws-sdk-dynamodbstreams",
    "aws-sdk-sesv2",
    "aws-sdk-sqs",
    "aws-sdk-s3",
    "aws-sdk-apigatewaymanagement",
]


def sdk_table(endpoint_lib: pathlib.Path) -> dict:
    source = endpoint_lib.read_text()
    at = source.index("loading default partitions")
    literal = re.search(r'new_from_json\(b"((?:[^"\\]|\\.)*)"\)', source[at:])
    if literal is None:
        sys.exit(f"{endpoint_lib}: the embedded partition table was not found (SDK layout changed?)")
    # A Rust byte string: \" and \\ are the escapes it uses.
    text = re.sub(r'\\(["\\])', r"\1", literal.group(1))
    return json.loads(text)


def split(table: dict) -> dict:
    return {
        p["id"]: {"partitions": [p], "version": table.get("version", "1.1")}
        for p in table["partitions"]
    }


def main() -> int:
    check = "--check" in sys.argv[1:]
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    tables = {}
    for package in meta["packages"]:
        if package["name"] in CRATES:
            lib = pathlib.Path(package["manifest_path"]).parent / "src" / "endpoint_lib.rs"
            tables[package["name"]] = split(sdk_table(lib))
    missing = [c for c in CRATES if c not in tables]
    if missing:
        sys.exit(f"not in the lockfile: {missing}")
    first = tables[CRATES[0]]
    for crate, table in tables.items():
        if table != first:
            sys.exit(f"{crate}'s partition table differs from {CRATES[0]}'s: one file cannot serve both")
    wanted = {f"{pid}.json": json.dumps(body, separators=(",", ":"), sort_keys=True) + "\n" for pid, body in first.items()}
    present = {p.name: p.read_text() for p in HERE.glob("*.json")}
    if check:
        if present != wanted:
            stale = sorted(set(present) ^ set(wanted) | {n for n in wanted if present.get(n) != wanted[n]})
            sys.exit(f"infra/partitions is not the SDK's partition table ({', '.join(stale)}): run `make partitions`")
        print(f"infra/partitions: {len(wanted)} partitions, as the SDK's table")
        return 0
    for name in set(present) - set(wanted):
        (HERE / name).unlink()
    for name, text in wanted.items():
        (HERE / name).write_text(text)
    print(f"wrote {len(wanted)} partition files to infra/partitions/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
