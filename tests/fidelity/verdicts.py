#!/usr/bin/env python3
"""tests/fidelity/verdicts.py: the first refused request, from the real kernel
(an strace log) or from the model (a `mmsim run` JSON report and its trace).

    verdicts.py real STRACE_LOG
    verdicts.py model REPORT_JSON TRACE_DUMP   (a `mmsim run` report)

Prints one line: `WHO CALL SIZE NTH`, where WHO is `root` (the program
started) or `child1`, `child2`, ... (processes in order of appearance), CALL
is mmap, mremap, brk or fork, SIZE the bytes asked for (0 for fork) and NTH
the ordinal of that call with that size in that process (3: the third
mmap of SIZE bytes; for brk and fork, of any size). A brk's SIZE is the
growth asked for. Prints `none` when nothing was refused.
"""
import json
import re
import sys

FORKS = ("clone", "clone3", "fork", "vfork")
STRACE_LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\w+)(.*)$")


def key_size(call, size):
    """The size calls are told apart by when counting them."""
    return size if call in ("mmap", "mremap") else 0


def strace_call(name, args, ret, rest, brk):
    """(call, size, refused) of one strace line, or None; brk: {pid: break}."""
    a = [x.strip() for x in args.split(",")]
    if name == "mmap":
        return "mmap", int(a[1]), ret == "-1" and "ENOMEM" in rest
    if name == "mremap":
        return "mremap", int(a[2]), ret == "-1" and "ENOMEM" in rest
    if name == "brk":
        want = int(a[0], 16) if a[0] not in ("NULL", "0") else 0
        cur = brk.get("cur", int(ret, 16))
        brk["cur"] = int(ret, 16)
        return "brk", max(want - cur, 0), bool(want) and int(ret, 16) != want
    if name in FORKS:
        if "CLONE_VM" in args or "CLONE_THREAD" in args:
            return None
        return "fork", 0, ret == "-1" and "ENOMEM" in rest
    return None


def real(path):
    order, seen, brks = [], {}, {}
    for line in open(path):
        m = STRACE_LINE.match(line.strip())
        if not m:
            continue
        pid, name, args, ret, rest = m.groups()
        if pid not in order:
            order.append(pid)
        c = strace_call(name, args, ret, rest, brks.setdefault(pid, {}))
        if not c:
            continue
        call, size, refused = c
        key = (pid, call, key_size(call, size))
        seen[key] = seen.get(key, 0) + 1
        if refused:
            return who(order.index(pid)), call, size, seen[key]
    return None


def who(i):
    return "root" if i == 0 else "child%d" % i


def model(report, dump):
    rep = json.load(open(report))
    if not rep.get("events"):
        return None
    ev = rep["events"][0]
    call = ev["syscall"]
    t0, order, nth = None, [], 0
    with open(dump) as f:
        for line in f:
            p = line.split()
            if len(p) < 3 or not p[0].isdigit():
                continue
            t, pid = int(p[0]), int(p[1].split("/")[0])
            if t0 is None:
                t0 = t  # `mmsim run` times its report from the first event
            if pid not in order:
                order.append(pid)
            if t > t0 + ev["t_ns"] or pid != ev["pid"] or p[2] != call:
                continue
            if key_size(call, event_size(p)) == key_size(call, ev["length"]):
                nth += 1
    return who(order.index(ev["pid"])), call, ev["length"], nth


def event_size(p):
    """a[1] (mmap length) or a[2] (mremap new length) of a dump line."""
    args = [x for x in p if x.startswith("a=")]
    if not args:
        return 0
    a = [int(x, 16) for x in args[0][2:].split(",")]
    if p[2] == "mremap":
        return a[2] if len(a) > 2 else 0
    return a[1] if len(a) > 1 else 0


def main():
    if sys.argv[1] == "real":
        v = real(sys.argv[2])
    else:
        v = model(sys.argv[2], sys.argv[3])
    print("none" if v is None else "%s %s %d %d" % v)


if __name__ == "__main__":
    main()
