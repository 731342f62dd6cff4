#!/usr/bin/env python3
"""Checks that the ranks sent the bytes the SBP plan predicts.

  check_comm_bytes.py PLAN_TABLE STATS RANKS

PLAN_TABLE is loomc --explain-sbp's output (its "boxing per step" line:
bytes per rank, and by all ranks); STATS the stderr of a LOOM_COMM_STATS=1
run ("loom: rank R sent B bytes"). Even splits make every rank send the
predicted bytes; uneven ones make ranks differ by a row, and then the sum
over the ranks must equal the prediction.
"""
import re
import sys


def main():
    plan, stats, ranks = sys.argv[1], sys.argv[2], int(sys.argv[3])
    match = re.search(r"boxing per step: \d+ collective\(s\), (\d+) bytes "
                      r"sent per rank, (\d+) by all (\d+) ranks", open(plan).read())
    predicted, total = int(match.group(1)), int(match.group(2))
    if int(match.group(3)) != ranks:
        print(f"the plan is for {match.group(3)} ranks, not {ranks}")
        return 1
    counted = {int(r): int(b) for r, b in
               re.findall(r"loom: rank (\d+) sent (\d+) bytes", open(stats).read())}
    if sorted(counted) != list(range(ranks)):
        print(f"expected stats from {ranks} ranks, got ranks {sorted(counted)}")
        return 1
    if all(b == predicted for b in counted.values()):
        print(f"predicted {predicted} bytes per rank, counted the same on "
              "every rank")
        return 0
    summed = sum(counted.values())
    print(f"predicted {total} bytes by all ranks, counted {summed} "
          + ("(uneven parts: " if summed == total else "DIFFERENTLY (")
          + ", ".join(f"rank {r} {b}" for r, b in sorted(counted.items())) + ")")
    return 0 if summed == total else 1


if __name__ == "__main__":
    sys.exit(main())
