#!/usr/bin/env python3
"""Rewrite the README's checked output blocks (`<!-- check: handoff ARGS -->`) with
what the program prints now, keeping each block's shape: the same rows, the same
`…` skips and cut lines. Run after a change that moves numbers on purpose, then
read the diff: tests/it/readme.rs checks the result.

    cargo build --release && python3 scripts/update-readme-blocks.py
"""
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / "target" / "release" / "handoff"


def skeleton(line):
    """A line with its numbers taken out, to find the same row in new output."""
    line = line.rstrip("…")
    return re.sub(r"[\s\d.,±%+\-−]+", " ", line).strip()


def same_row(template_line, output_line):
    """Whether an output line is the row a template line shows (perhaps cut short with `…`)."""
    if template_line.endswith(",…"):
        output_line = ",".join(output_line.split(",")[: template_line.count(",")]) + ","
        template_line = template_line[:-1]
    elif template_line.endswith("…"):
        output_line = output_line[: len(template_line) - 1]
    return skeleton(output_line) == skeleton(template_line)


def rewrite(template, output):
    out = output.splitlines()
    lines = [t for t in template]
    firsts = [k for k, t in enumerate(lines) if t != "…"]
    if not firsts:
        return template
    start = next((i for i, o in enumerate(out) if same_row(lines[firsts[0]], o)), None)
    if start is None:
        sys.exit(f"cannot find {lines[firsts[0]]!r} in the output")
    new, i = [], start
    for k, t in enumerate(lines):
        if t == "…":
            new.append(t)
            following = next((x for x in lines[k + 1:] if x != "…"), None)
            if following is None:
                break
            while i < len(out) and not same_row(following, out[i]):
                i += 1
            continue
        if i >= len(out):
            sys.exit(f"the output ends before {t!r}")
        o = out[i]
        if t.endswith(",…"):
            # A CSV row cut after as many fields as the template shows.
            o = ",".join(o.split(",")[: t.count(",")]) + ",…"
        elif t.endswith("…"):
            o = o[: len(t) - 1] + "…"
        new.append(o)
        i += 1
    return new


def main():
    readme = (ROOT / "README.md").read_text().split("\n")
    k = 0
    while k < len(readme):
        m = re.match(r"<!-- check(?: \(file [^)]*\))?: handoff (.*) -->", readme[k])
        if not m:
            k += 1
            continue
        args = shlex.split(m.group(1))
        assert readme[k + 1].startswith("```")
        end = next(j for j in range(k + 2, len(readme)) if readme[j].startswith("```"))
        with tempfile.TemporaryDirectory() as tmp:
            out_file = None
            if "-o" in args:
                at = args.index("-o") + 1
                out_file = Path(tmp) / args[at]
                args[at] = str(out_file)
            got = subprocess.run([str(BIN), *args, "--quiet"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
            if out_file is not None:
                got = out_file.read_text()
        readme[k + 2 : end] = rewrite(readme[k + 2 : end], got)
        k = end + 1
    (ROOT / "README.md").write_text("\n".join(readme))


main()
