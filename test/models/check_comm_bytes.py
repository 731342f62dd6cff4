#!/usr/bin/env python3
"""Checks that every rank sent the bytes the SBP plan predicts.

  check_comm_bytes.py PLAN_TABLE STATS RANKS

PLAN_TABLE is loomc --explain-sbp's output (its "boxing per step" line);
STATS the stderr of a LOOM_COMM_STATS=1 run ("loom: rank R sent B bytes").
"""
import re
import sys


def main():
    plan, stats, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    predicted = int(re.search(r"boxing per step: \d+ collective\(s\), (\d+) "
                              r"bytes sent per rank", open(plan).read()).group(1))
    counted = {int(r): int(b) for r, b in
               re.findall(r"loom: rank (\d+) sent (\d+) bytes", open(stats).read())}
    if sorted(counted) != list(range(ranks)):
        print(f"expected stats from {ranks} ranks, got ranks {sorted(counted)}")
        return 1
    wrong = {r: b for r, b in counted.items() if b != predicted}
    print(f"predicted {predicted} bytes per rank, counted "
          + ("the same on every rank" if not wrong else f"differently: {wrong}"))
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
