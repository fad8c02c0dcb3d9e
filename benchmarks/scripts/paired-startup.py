#!/usr/bin/env python3
"""Paired differences from a StartupTimer output file: for each round, each scenario's READY and
first-valid-staple times minus the stock JDK's (responder up) of the same round; prints the medians.

usage: paired-startup.py STARTUP_TIMER_OUTPUT.txt
"""
import re, statistics, sys

rounds = {}
for line in open(sys.argv[1]):
    m = re.match(r'# round (\d+) (.+?), responder up: Run\[readyMs=([\d.NaN]+), .*firstStapleMs=([\d.NaN]+),', line)
    if m:
        rounds.setdefault(int(m.group(1)), {})[m.group(2)] = (float(m.group(3)), float(m.group(4)))
rounds.pop(0, None)  # the discarded warm-up round
names = [n for n in next(iter(rounds.values())) if n != 'stock JDK']
print(f"{len(rounds)} paired rounds (round 0 discarded)")
for n in names:
    ready = [r[n][0] - r['stock JDK'][0] for r in rounds.values() if n in r]
    staple = [r[n][1] - r['stock JDK'][1] for r in rounds.values() if n in r]
    print(f"{n}: READY {statistics.median(ready):+.0f} ms, first valid staple {statistics.median(staple):+.0f} ms"
          f" (median of per-round differences with the stock JDK)")
