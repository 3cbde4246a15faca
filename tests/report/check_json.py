#!/usr/bin/env python3
"""tests/report/check_json.py REPORT.json [--sane] [--pids PIDFILE]

Validates an `mmsim report/run --format json` document against the schema of
docs/report-json.md (types and required keys of every object). With --sane,
also checks every measured process: rss_kb > 0 for processes that ran an
exec, pss_kb <= rss_kb, uss_kb <= pss_kb. With --pids FILE (one pid per
line), every pid listed must have a row. Prints one line per problem; exit 1
if there is any.
"""
import json
import sys

INT = int
PROC = {"pid": INT, "ppid": INT, "comm": str, "rss_kb": INT, "pss_kb": INT,
        "uss_kb": INT, "swap_kb": INT, "rss_anon_kb": INT, "peak_rss_kb": INT,
        "minflt": INT, "majflt": INT, "vm_size_kb": INT, "committed_kb": INT,
        "t_start_ns": INT, "t_end_ns": INT, "fate": str, "exit_code": INT,
        "fate_text": str, "rss_series_kb": list}
FATES = {"running", "exited", "signaled", "failed", "oom_killed"}
SYSTEM = {k: INT for k in (
    "mem_total_kb", "commit_limit_kb", "peak_committed_kb",
    "t_peak_committed_ns", "peak_used_kb", "min_free_kb", "t_min_free_ns",
    "wmark_min_kb", "wmark_low_kb", "wmark_high_kb", "swap_total_kb",
    "swap_used_kb", "oom_kills", "enomem", "duration_ns",
    "peak_swap_used_kb")}
SYSTEM["pressure"] = dict
SYSTEM["panicked"] = bool
PRESSURE = {k: INT for k in (
    "pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct",
    "allocstall", "pswpin", "pswpout", "oom_kill")}
OOM = {"t_ns": INT, "pid": INT, "comm": str, "trigger_pid": INT,
       "trigger_comm": str, "trigger": str, "memcg": bool, "panic": bool,
       "points": int, "stack_id": INT, "stack": list, "log": str}
EVENT = {"t_ns": INT, "pid": INT, "comm": str, "type": str, "syscall": str,
         "length": INT, "committed_kb": INT, "limit_kb": INT, "stack_id": INT,
         "stack": list}
SAMPLE = {k: INT for k in ("t_ns", "committed_kb", "limit_kb", "free_kb",
                           "used_kb", "swap_used_kb", "wmark_min_kb",
                           "wmark_low_kb", "wmark_high_kb")}
SAMPLE["pressure"] = dict
SITE = {k: INT for k in ("stack_id", "pid", "peak_bytes", "leaked_bytes",
                         "allocations", "temporary", "total_bytes",
                         "commit_peak_kb", "rss_peak_kb")}
SITE["stack"] = list
SITES_TOTAL = {k: INT for k in (
    "sites", "allocations", "temporary", "peak_bytes", "t_peak_ns",
    "leaked_bytes", "total_bytes", "unknown_frees", "commit_sites",
    "commit_peak_kb", "rss_sites", "rss_peak_kb")}
REPLAY = {"events": INT, "faults": INT, "faults_unplaced": INT,
          "model_errors": INT, "unsupported": INT, "skipped_killed": INT,
          "skipped_panic": INT, "complete": bool,
          "incomplete_capture": (str, type(None))}

problems = []


def check(obj, schema, where):
    if not isinstance(obj, dict):
        problems.append(f"{where}: not an object")
        return
    for key, typ in schema.items():
        if key not in obj:
            problems.append(f"{where}: missing {key}")
        elif typ is INT and (isinstance(obj[key], bool)
                             or not isinstance(obj[key], int)
                             or obj[key] < 0 and key != "exit_code"):
            problems.append(f"{where}.{key}: not a non-negative integer")
        elif typ is not INT and not isinstance(obj[key], typ):
            problems.append(f"{where}.{key}: not {typ.__name__}")


def check_report(rep, where, sane):
    check(rep, {"policy": str, "processes": list, "system": dict,
                "events": list, "oom": list, "samples": list, "replay": dict,
                "sites": list, "sites_total": dict}, where)
    for i, s in enumerate(rep.get("sites", [])):
        check(s, SITE, f"{where}.sites[{i}]")
        if not all(isinstance(f, str) for f in s.get("stack", [])):
            problems.append(f"{where}.sites[{i}].stack: not strings")
        if s.get("temporary", 0) > s.get("allocations", 0):
            problems.append(f"{where}.sites[{i}]: temporary > allocations")
        if s.get("leaked_bytes", 0) > s.get("total_bytes", 0):
            problems.append(f"{where}.sites[{i}]: leaked > total bytes")
    check(rep.get("sites_total"), SITES_TOTAL, f"{where}.sites_total")
    for i, p in enumerate(rep.get("processes", [])):
        check(p, PROC, f"{where}.processes[{i}]")
        if len(p.get("rss_series_kb", [])) != len(rep.get("samples", [])):
            problems.append(f"{where}.processes[{i}].rss_series_kb: length")
        if p.get("fate") not in FATES:
            problems.append(f"{where}.processes[{i}].fate: {p.get('fate')!r}")
        if sane and p.get("vm_size_kb", 0) > 0:
            if p["rss_kb"] <= 0:
                problems.append(f"pid {p['pid']} ({p['comm']}): rss_kb is 0")
            if p["pss_kb"] > p["rss_kb"]:
                problems.append(f"pid {p['pid']}: pss_kb > rss_kb")
            if p["uss_kb"] > p["pss_kb"]:
                problems.append(f"pid {p['pid']}: uss_kb > pss_kb")
    check(rep.get("system"), SYSTEM, f"{where}.system")
    check((rep.get("system") or {}).get("pressure"), PRESSURE,
          f"{where}.system.pressure")
    for i, e in enumerate(rep.get("events", [])):
        check(e, EVENT, f"{where}.events[{i}]")
        if not all(isinstance(f, str) for f in e.get("stack", [])):
            problems.append(f"{where}.events[{i}].stack: not strings")
        alloc = e.get("alloc", "missing")
        if alloc is not None and not (isinstance(alloc, dict)
                                      and set(alloc) == {"call", "size"}):
            problems.append(f"{where}.events[{i}].alloc: {alloc!r}")
    for i, o in enumerate(rep.get("oom", [])):
        check(o, OOM, f"{where}.oom[{i}]")
        if o.get("pid") and "Killed process %d " % o["pid"] not in o.get("log", ""):
            problems.append(f"{where}.oom[{i}].log: no kill line for its pid")
    for i, s in enumerate(rep.get("samples", [])):
        check(s, SAMPLE, f"{where}.samples[{i}]")
        check(s.get("pressure"), PRESSURE, f"{where}.samples[{i}].pressure")
    check(rep.get("replay"), REPLAY, f"{where}.replay")


def main():
    args = sys.argv[1:]
    sane = "--sane" in args
    pids = None
    if "--pids" in args:
        with open(args[args.index("--pids") + 1]) as f:
            pids = {int(x) for x in f.read().split()}
    with open(args[0]) as f:
        doc = json.load(f)
    reports = doc["policies"] if "policies" in doc else [doc]
    for i, rep in enumerate(reports):
        check_report(rep, f"report[{i}]", sane)
    if pids is not None:
        have = {p["pid"] for p in reports[0]["processes"]}
        for pid in sorted(pids - have):
            problems.append(f"pid {pid} of the trace has no row")
    for p in problems:
        print("FAIL:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
