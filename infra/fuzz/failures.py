"""Prints the failures of the newest schemathesis JUnit report in target/fuzz, one short block
each (the full reproductions are in target/fuzz/schemathesis.txt)."""
import glob
import sys
import xml.etree.ElementTree as ET

reports = sorted(glob.glob(sys.argv[1] if len(sys.argv) > 1 else "target/fuzz/junit-*.xml"))
if not reports:
    sys.exit("no report")
for case in ET.parse(reports[-1]).iter("testcase"):
    for failure in list(case.findall("failure")) + list(case.findall("error")):
        text = (failure.get("message") or "") + "\n" + (failure.text or "")
        lines = [line[:240] for line in text.splitlines() if line.strip()]
        print("==", case.get("name"))
        print("\n".join(lines[:14]))
