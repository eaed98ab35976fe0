#!/usr/bin/env python3
"""usage: check_probes.py FILE NAME...: every named probe is "active" in `probes --json` output."""
import json
import sys


def main():
    with open(sys.argv[1]) as f:
        statuses = {s["name"]: s for s in json.load(f)}
    failed = 0
    for name in sys.argv[2:]:
        status = statuses.get(name)
        if status is None:
            print(f"{name}: not in the probe list ({sorted(statuses)})")
            failed += 1
        elif not status["active"]:
            print(f"{name}: inactive: {status['reason']}")
            failed += 1
        else:
            print(f"{name}: active ({status['reason']})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
