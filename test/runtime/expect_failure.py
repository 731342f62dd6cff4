#!/usr/bin/env python3
"""Runs a command that must refuse its input: exit code 2 (bad input; or
CODE), and OUTPUT (removed first) not written. Prints the command's stderr
(one line), then one line saying what was checked.

  expect_failure.py [--code=CODE] OUTPUT COMMAND [ARGS...]
"""
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    code = 2
    if args[0].startswith("--code="):
        code = int(args.pop(0)[len("--code="):])
    output, command = args[0], args[1:]
    if os.path.exists(output):
        os.remove(output)
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    sys.stdout.write(run.stderr)
    if run.returncode != code:
        print(f"exit code {run.returncode}, expected {code}")
        return 1
    if os.path.exists(output):
        print(f"exit code {code}, but {output} was written")
        return 1
    # (A sanitizer's own notes, "==PID==...", are not the program's.)
    lines = [l for l in run.stderr.splitlines() if not l.startswith("==")]
    if len(lines) != 1:
        print("expected exactly one line of error")
        return 1
    print(f"exit code {code}, no output written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
