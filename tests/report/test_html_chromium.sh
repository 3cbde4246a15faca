#!/bin/sh
# tests/report/test_html_chromium.sh MMSIM MALLOC_LOOP SRCDIR
#
# The HTML report of a small recorded program (examples/malloc_loop, six
# 128 MiB steps, compared under vm.overcommit_memory=2 and 0 on mem=1G)
# opens in headless Chromium (Debian's chromium package) and its charts
# render: the screenshot is not blank and shows the chart lines' colour
# (#1f77b4) and the ENOMEM markers' red (#dd0000); the DOM Chromium built
# has the SVG polylines with their points; the browser logged no console
# message or uncaught error (the page has no script at all).
# Skipped (77) only when chromium is not installed.
set -u
mmsim=$1 prog=$2 src=$3
browser=$(command -v chromium || command -v chromium-browser) ||
    { echo "SKIP: chromium is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

"$mmsim" record -o "$work/ml.mmtrace" -- "$prog" 128 6 > /dev/null 2>&1 ||
    no "recording malloc_loop"
"$mmsim" compare "$work/ml.mmtrace" --machine mem=1G \
    --policy vm.overcommit_memory=2 --policy vm.overcommit_memory=0 \
    --format html -o "$work/report.html" || no "compare --format html"
grep -qi "<script" "$work/report.html" && no "the page has a script element"

# one retry: a loaded machine can stall a headless start
run_browser() {
    for try in 1 2; do
        timeout 150 "$browser" --headless --no-sandbox --disable-gpu \
            --disable-dev-shm-usage --disable-extensions --no-first-run \
            --hide-scrollbars --user-data-dir="$work/profile$try" \
            --enable-logging=stderr --v=0 "$@" "file://$work/report.html" &&
            return 0
    done
    return 1
}
run_browser --window-size=1000,2400 --screenshot="$work/shot.png" \
    > /dev/null 2> "$work/shot.err" || no "chromium --screenshot: exit $?"
run_browser --dump-dom > "$work/dom.html" 2> "$work/dom.err" ||
    no "chromium --dump-dom: exit $?"
if grep -E "CONSOLE|Uncaught|SyntaxError" "$work/shot.err" "$work/dom.err"; then
    no "the browser logged console messages or errors"
fi

python3 - "$work/shot.png" "$work/dom.html" <<'PY' || no "rendering"
import re, struct, sys, zlib

def pixels(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, None, []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        prev = prev or bytearray(stride)
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return [(r[i], r[i + 1], r[i + 2]) for r in rows for i in range(0, stride, bpp)]

px = pixels(sys.argv[1])
near = lambda p, q: all(abs(x - y) <= 24 for x, y in zip(p, q))
white = sum(1 for p in px if p[0] > 245 and p[1] > 245 and p[2] > 245)
blue = sum(1 for p in px if near(p, (0x1f, 0x77, 0xb4)))
red = sum(1 for p in px if near(p, (0xdd, 0, 0)))
print(f"screenshot: {len(px)} pixels, {len(px) - white} not white, "
      f"{blue} line blue, {red} marker red")
assert len(px) - white > 20000, "blank screenshot"
assert blue > 300, "no chart lines drawn"
assert red > 100, "no ENOMEM markers drawn"
dom = open(sys.argv[2]).read()
lines = re.findall(r'<polyline [^>]*points="([^"]*)"', dom)
assert len(lines) >= 8, f"{len(lines)} polylines in the DOM"
for pts in lines:
    assert len(pts.split()) >= 2, pts
assert dom.count("<svg") >= 4, dom.count("<svg")
PY

[ $fail = 0 ] && echo ok
exit $fail
