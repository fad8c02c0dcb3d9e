#!/usr/bin/env python3
"""Paired differences from a StartupTimer output file: for each round, each scenario's READY, first
handshake and first-valid-staple times minus the stock JDK's (responder up) of the same round; prints the medians.

usage: paired-startup.py STARTUP_TIMER_OUTPUT.txt
"""
import re, statistics, sys

rounds = {}
for line in open(sys.argv[1]):
    m = re.match(r'# round (\d+) (.+?), responder up: Run\[readyMs=([\d.NaN]+), firstHandshakeMs=([\d.NaN]+),'
                 r'.*firstStapleMs=([\d.NaN]+),', line)
    if m:
        rounds.setdefault(int(m.group(1)), {})[m.group(2)] = tuple(float(m.group(i)) for i in (3, 4, 5))
rounds.pop(0, None)  # the discarded warm-up round
names = [n for n in next(iter(rounds.values())) if n != 'stock JDK']
print(f"{len(rounds)} paired rounds (round 0 discarded)")
for n in names:
    ready = [r[n][0] - r['stock JDK'][0] for r in rounds.values() if n in r]
    first = [r[n][1] - r['stock JDK'][1] for r in rounds.values() if n in r]
    staple = [r[n][2] - r['stock JDK'][2] for r in rounds.values() if n in r]
    print(f"{n}: READY {statistics.median(ready):+.0f} ms, first handshake {statistics.median(first):+.0f} ms,"
          f" first valid staple {statistics.median(staple):+.0f} ms (medians of per-round differences with the"
          f" stock JDK)")
