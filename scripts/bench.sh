#!/usr/bin/env bash
# Whole-process benchmark: `assay extract` against `rg` (a money regex) and `cat` on a corpus
# built by replicating corpus/ and, when present, the boilerplate peer pages beside this
# repository (../shared/peers/boilerplate/text/), as many small files and as one big file.
#
# Needs: cargo (to build the release binary), python3 (to build the corpus and read the
# timings), hyperfine, rg (ripgrep) and GNU time at /usr/bin/time (for peak memory).
# On Debian or Ubuntu: apt-get install -y hyperfine ripgrep time
#
# Usage: scripts/bench.sh [--size-mb N] [--file-kb K] [--dir DIR] [--runs N] [--bin PATH]
#   --size-mb N   corpus size in MB (default 1000: ~1 GB)
#   --file-kb K   average file size in KB; pages are cut at line ends into pieces about this
#                 big (default 5, which gives ~200k files for 1 GB)
#   --dir DIR     where the corpus is built (default target/bench-corpus-<N>mb); it is reused
#                 when it was built with the same settings
#   --runs N      timed runs per command (default 3)
# Besides wall-clock MB/s it prints MB per CPU second (user + system), which stays meaningful on
# a machine whose cores are shared with other work, the CPU time two threads take over one, the
# load average, and the peak memory on the whole corpus and on a tenth of it.
#   --bin PATH    the assay binary to time (default: build target/release/assay)
#   --peers DIR   more pages to replicate (default ../shared/peers/boilerplate/text beside
#                 the repository; skipped when absent)
set -euo pipefail

size_mb=1000
file_kb=5
dir=""
runs=3
bin=""
peers=""
while [ $# -gt 0 ]; do
    case "$1" in
        --size-mb) size_mb="$2"; shift 2 ;;
        --file-kb) file_kb="$2"; shift 2 ;;
        --dir) dir="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        --peers) peers="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
    esac
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

missing=()
for tool in python3 hyperfine rg; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[ -x /usr/bin/time ] || missing+=("GNU time (/usr/bin/time)")
if [ -z "$bin" ]; then command -v cargo >/dev/null || missing+=(cargo); fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench.sh: missing: ${missing[*]}" >&2
    echo "  on Debian or Ubuntu: apt-get install -y hyperfine ripgrep time python3" >&2
    exit 2
fi

if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin="$root/target/release/assay"
fi
dir="${dir:-$root/target/bench-corpus-${size_mb}mb}"
peers="${peers:-$root/../shared/peers/boilerplate/text}"

# Build the corpus: every source page cut at line ends into pieces of about --file-kb, written
# round-robin until --size-mb is reached, 1000 files per directory; then the same bytes again
# as one file.
python3 - "$dir" "$size_mb" "$file_kb" "$root/corpus" "$peers" <<'PY'
import os, sys
out, size_mb, file_kb, *sources = sys.argv[1:]
target, piece = int(size_mb) * 1_000_000, int(file_kb) * 1000
stamp = f"{size_mb} MB in pieces of {file_kb} KB\n"
marker = os.path.join(out, "settings")
if os.path.exists(marker) and open(marker).read() == stamp:
    sys.exit(0)
pages = []
for source in sources:
    if os.path.isdir(source):
        for name in sorted(os.listdir(source)):
            with open(os.path.join(source, name), "rb") as f:
                pages.append(f.read())
if not pages:
    sys.exit("bench.sh: no source pages found")
pieces = []
for page in pages:
    current = b""
    for line in page.splitlines(keepends=True):
        if current and len(current) + len(line) > piece:
            pieces.append(current)
            current = b""
        current += line
    if current:
        pieces.append(current)
os.makedirs(os.path.join(out, "one"), exist_ok=True)
written, count = 0, 0
with open(os.path.join(out, "one", "all.txt"), "wb") as whole:
    while written < target:
        data = pieces[count % len(pieces)]
        folder = os.path.join(out, "files", f"d{count // 1000:04}")
        if count % 1000 == 0:
            os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"p{count:07}.txt"), "wb") as f:
            f.write(data)
        whole.write(data)
        written += len(data)
        count += 1
with open(marker, "w") as f:
    f.write(stamp)
print(f"built {out}: {count} files, {written / 1e6:.0f} MB", file=sys.stderr)
PY

files="$dir/files"
one="$dir/one/all.txt"
bytes=$(stat -c %s "$one")
nfiles=$(find "$files" -type f | wc -l)
echo "corpus: $nfiles files, $((bytes / 1000000)) MB ($files), and the same as one file ($one)"
echo "assay: $bin"
echo "start-up: assay extract on one small file (corpus/earnings-news.txt)"
hyperfine --style basic --warmup 2 --runs 20 "$bin extract $root/corpus/earnings-news.txt" 2>&1 | grep -E 'Time|Range'

# A money pattern of the kind assay's money stage looks for.
money='[$€£¥]\s?[0-9][0-9,.]*(\s?(million|billion|bn|mn|m|k))?|[0-9][0-9,.]*\s?(million|billion)?\s?(dollars|euros|pounds|USD|EUR|GBP)'
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# cat first, with a warm-up run, so that every command reads from the page cache.
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$tmp/cat.json" \
    -n "cat files" "find $files -type f -print0 | xargs -0 cat" \
    -n "cat one" "cat $one" >/dev/null
hyperfine --style basic --runs "$runs" --export-json "$tmp/rest.json" \
    -n "rg money files -j1" "rg -c -j1 --no-filename '$money' $files" \
    -n "rg money files -j2" "rg -c -j2 --no-filename '$money' $files" \
    -n "rg money one" "rg -c '$money' $one" \
    -n "assay files -j1" "$bin extract --quiet --jobs 1 $files" \
    -n "assay files -j2" "$bin extract --quiet --jobs 2 $files" \
    >/dev/null

# Peak memory on the whole corpus and on its first tenth: streaming keeps them about equal.
peak_rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
rss_files=$(peak_rss "$bin" extract --quiet --jobs 2 "$files")
rss_files_j1=$(peak_rss "$bin" extract --quiet --jobs 1 "$files")
dirs=("$files"/d*)
rss_tenth=$(peak_rss "$bin" extract --quiet --jobs 2 "${dirs[@]:0:$(( (${#dirs[@]} + 9) / 10 ))}")
# assay holds one document whole while it analyses it, so one input over --max-input-size
# (64 MB by default) is refused with a message rather than read.
if message=$("$bin" extract --quiet "$one" 2>&1 >/dev/null); then
    echo "assay on the one big file: read within the default limit (not timed)"
else
    echo "assay on the one big file (default limits): $message"
fi

python3 - "$tmp/cat.json" "$tmp/rest.json" "$bytes" "$rss_files" "$rss_files_j1" "$rss_tenth" <<'PY'
import json, os, sys
*paths, size, rss_files, rss_files_j1, rss_tenth = sys.argv[1:]
size, rss_files, rss_files_j1, rss_tenth = int(size), int(rss_files), int(rss_files_j1), int(rss_tenth)
results = {r["command"]: r for path in paths for r in json.load(open(path))["results"]}
def median(name):
    return results[name]["median"]
def rate(name):
    return size / median(name) / 1e6
# MB per CPU second (user + system) stays meaningful when other work shares the cores.
print(f"\n{'command':22} {'median s':>9} {'MB/s':>9} {'per core':>9} {'MB/cpu-s':>9}   (runs: min-max s)")
for name, r in results.items():
    cores = 2 if name.endswith("-j2") else 1
    cpu = size / (r["user"] + r["system"]) / 1e6
    print(f"{name:22} {r['median']:9.2f} {rate(name):9.1f} {rate(name) / cores:9.1f} {cpu:9.1f}   ({r['min']:.2f}-{r['max']:.2f})")
print()
print(f"assay -j1 / rg -j1 (money regex), time ratio: {median('assay files -j1') / median('rg money files -j1'):.1f}x")
print(f"assay -j1 / cat, time ratio:                  {median('assay files -j1') / median('cat files'):.1f}x")
print(f"assay scaling, -j2 over -j1:                  {median('assay files -j1') / median('assay files -j2'):.2f}x (wall)")
# Work that two threads add over one (waiting, duplicated caches): 1.00 means none, and then the
# wall-clock scaling is limited only by the cores the machine can spare.
cpu = lambda name: results[name]["user"] + results[name]["system"]
print(f"assay CPU time, -j2 over -j1:                 {cpu('assay files -j2') / cpu('assay files -j1'):.2f}x")
print(f"load average while measuring:                 {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
print(f"assay peak RSS: files -j2 {rss_files / 1024:.0f} MB, -j1 {rss_files_j1 / 1024:.0f} MB, first tenth of the files -j2 {rss_tenth / 1024:.0f} MB")
PY
