#!/usr/bin/env python3
"""Print the medians criterion stored for webhook-guard's benchmarks as ratio tables.

Usage: python3 bench/summary.py [target-dir ...]
Reads <target>/criterion/<group>/<bench>/new/estimates.json for the `verify/*`,
`last_byte_to_verdict/*`, dedup and peer groups (default target dirs: ./target and
./bench/peers/target) and prints each group with its ratio to the group's baseline.
"""
import json
import os
import sys

BASELINES = ("bare_hmac_sha256", "buffer_then_hash", "bare (reads the body)", "bare_ed25519_dalek_verify_strict")


def medians(root):
    crit = os.path.join(root, "criterion")
    if not os.path.isdir(crit):
        return {}
    out = {}
    for group in sorted(os.listdir(crit)):
        gdir = os.path.join(crit, group)
        if not os.path.isdir(gdir) or group == "report":
            continue
        for bench in sorted(os.listdir(gdir)):
            est = os.path.join(gdir, bench, "new", "estimates.json")
            if os.path.isfile(est):
                with open(est) as f:
                    out.setdefault(group, {})[bench] = json.load(f)["median"]["point_estimate"]
    return out


def fmt_ns(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def main():
    roots = sys.argv[1:] or ["target", os.path.join("bench", "peers", "target")]
    for root in roots:
        for group, benches in medians(root).items():
            base = next((benches[b] for b in BASELINES if b in benches), None)
            print(f"\n{group}")
            for bench, ns in benches.items():
                ratio = f"{ns / base:6.2f}x" if base else ""
                print(f"  {bench:<48} {fmt_ns(ns):>12} {ratio}")


if __name__ == "__main__":
    main()
