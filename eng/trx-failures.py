#!/usr/bin/env python3
"""Prints every failed test of the given TRX files: its name, its error message and stack trace, and the
tail of its standard output. CI keeps only its console log, and `dotnet test -v:q` prints a failed test's
name alone; the kernel scenarios put their whole output in the assertion message, so this is what tells
a stall from a crash after the fact."""
import sys
import xml.etree.ElementTree as ElementTree

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
MAX_LINES = 200  # per section: a scenario prints some 50 lines; a runaway one must not flood the log


def tail(text, limit=MAX_LINES):
    lines = (text or "").rstrip().splitlines()
    if len(lines) > limit:
        return [f"... ({len(lines) - limit} lines before)"] + lines[-limit:]
    return lines


def main(paths):
    failed = 0
    for path in paths:
        try:
            root = ElementTree.parse(path).getroot()
        except (OSError, ElementTree.ParseError) as error:
            print(f"== {path}: unreadable ({error})")
            failed += 1
            continue
        for result in root.iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") in ("Passed", "NotExecuted"):
                continue
            failed += 1
            print(f"== FAILED {result.get('testName')} ({result.get('outcome')}, {result.get('duration')})")
            for section, query in (("message", "t:Output/t:ErrorInfo/t:Message"),
                                   ("stack trace", "t:Output/t:ErrorInfo/t:StackTrace"),
                                   ("stdout", "t:Output/t:StdOut")):
                node = result.find(query, NS)
                if node is not None and node.text:
                    print(f"-- {section}:")
                    for line in tail(node.text):
                        print(f"   {line}")
    return failed


if __name__ == "__main__":
    main(sys.argv[1:])
