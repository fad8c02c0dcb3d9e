#!/usr/bin/env python3
"""CPU time per thread of a test-apps jsse-server at the moment it prints READY, and 1.5 s later.

usage: cpu-at-ready.py JAVA_HOME AGENT_JAR|none TESTAPPS_ALL_JAR PKI_DIR

Samples /proc/PID/task/*/stat every 5 ms, so threads that end before READY (the agent's start
thread) are counted too. Prints one line: READY time, total CPU at READY and later, and CPU per
thread name (at READY / later, ms; 10 ms resolution).
"""
import glob, os, subprocess, sys, tempfile, time

jh, agent, testapps, pki = sys.argv[1:5]
opts = ['-Djdk.tls.server.enableStatusRequestExtension=true'] if agent == 'none' else ['-javaagent:' + agent]
log = tempfile.NamedTemporaryFile(prefix='cpu-at-ready-', suffix='.log', delete=False).name
t0 = time.time()
p = subprocess.Popen([jh + '/bin/java'] + opts + ['-cp', testapps, 'dev.staplekeeper.testapps.Main',
                     'jsse-server', '--pki', pki, '--port', '0'],
                     stdout=open(log, 'w'), stderr=subprocess.STDOUT)
seen, snap, ready = {}, None, None
while True:
    for t in glob.glob(f'/proc/{p.pid}/task/*'):
        try:
            comm = open(t + '/comm').read().strip()
            st = open(t + '/stat').read().rsplit(')', 1)[1].split()
            seen[t] = (comm[:16], (int(st[11]) + int(st[12])) * 1000 // os.sysconf('SC_CLK_TCK'))
        except OSError:
            pass
    if ready is None and 'READY' in open(log).read():
        ready, snap = time.time() - t0, dict(seen)
    if ready is not None and time.time() - t0 > ready + 1.5:
        break
    time.sleep(0.005)
p.kill()
p.wait()


def per_name(d):
    out = {}
    for comm, ms in d.values():
        out[comm] = out.get(comm, 0) + ms
    return out


r, l = per_name(snap), per_name(seen)
print(f"READY {ready * 1000:.0f} ms; CPU at READY {sum(r.values())} ms, 1.5 s later {sum(l.values())} ms: "
      + ", ".join(f"{k}={v}/{l.get(k)}" for k, v in sorted(r.items(), key=lambda x: -x[1]) if v or l.get(k)))
