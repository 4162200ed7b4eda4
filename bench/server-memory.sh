#!/usr/bin/env bash
# Where the idle server's memory goes: runs Tyto.Host (Release build output, a copy with its own data dir and port)
# collecting every 1 s with no client, and at each time in AT prints RSS split into anonymous, file-backed and
# shared memory (/proc/<pid>/status), PSS (/proc/<pid>/smaps_rollup), the GC heap, and the largest mappings.
#
# AT        seconds after /health answers at which to sample (default "180 600")
# PORT      HTTP port on 127.0.0.1 (default 18191)
# TOP       how many mappings to list per sample (default 25; 0 for none)
# SKIP_BUILD=1  reuse the existing Release build     APP_DIR  run that build output instead; implies SKIP_BUILD=1
# RUNTIMECONFIG a runtimeconfig.json to run with instead of the build's (an experiment without a rebuild)
# Any DOTNET_* variable set by the caller reaches the server. The server listens on 127.0.0.1 only.
# Building, starting and stopping the server: server-lib.sh, shared with server-idle.sh.
set -euo pipefail

readonly AT="${AT:-180 600}"
readonly PORT="${PORT:-18191}"
readonly TOP="${TOP:-25}"

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"
bench_init memory

# One line: RSS and its anonymous / file-backed / shared parts, PSS, in MB.
memory_line() {
    local pid="$1"
    awk '/^(VmRSS|RssAnon|RssFile|RssShmem):/ { v[$1] = $2 } /^Pss:/ { v["Pss:"] = $2 }
        END { printf "RSS %.1f MB  PSS %.1f  anonymous %.1f  file-backed %.1f  shmem %.1f\n",
              v["VmRSS:"] / 1024, v["Pss:"] / 1024, v["RssAnon:"] / 1024, v["RssFile:"] / 1024, v["RssShmem:"] / 1024 }' \
        "/proc/${pid}/status" "/proc/${pid}/smaps_rollup"
}

# The largest mappings by RSS, grouped by name (anonymous ones as [anon]), in MB. The last awk reads to the end where
# head would close the pipe early: sort's SIGPIPE would then fail the pipeline under pipefail and end the script.
top_mappings() {
    local pid="$1"
    awk '/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "[anon]"; for (i = 7; i <= NF; i++) name = name " " $i; next }
        /^Rss:/ { rss[name] += $2 }
        END { for (n in rss) if (rss[n] >= 256) printf "  %7.1f  %s\n", rss[n] / 1024, n }' "/proc/${pid}/smaps" \
        | sort -rn | awk -v n="${TOP}" 'NR <= n'
}

# The anonymous part split into the GC's reservation, the C heap (main arena and the 64 MB-aligned thread arenas) and
# the rest (thread stacks, runtime data), in MB. Needs python3 for the address arithmetic; skipped without it.
anonymous_parts() {
    command -v python3 > /dev/null || return 0
    python3 - "$1" <<'PY'
import re, sys
vmas = []
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$", line)
    if m:
        vmas.append([int(m[1], 16), int(m[2], 16), m[3] or "[anon]", 0])
    elif line.startswith("Rss:"):
        vmas[-1][3] = int(line.split()[1])
anon = sorted(v for v in vmas if v[2] == "[anon]")
# The GC's reservation (hundreds of GB) and the regions it committed at its start form one gapless run of mappings.
runs = []
for v in anon:
    if runs and runs[-1][-1][1] == v[0]:
        runs[-1].append(v)
    else:
        runs.append([v])
gc = {id(v) for run in runs if any(v[1] - v[0] > 64 << 30 for v in run) for v in run}
# glibc gives each thread arena 64 MB-aligned heaps of 64 MB.
arena_blocks = {v[0] for v in anon if id(v) not in gc and v[0] % (64 << 20) == 0}
parts = {"GC heap": 0, "C heap": sum(v[3] for v in vmas if v[2] == "[heap]"), "other": 0}
for v in anon:
    if id(v) in gc:
        parts["GC heap"] += v[3]
    elif v[0] - v[0] % (64 << 20) in arena_blocks:
        parts["C heap"] += v[3]
    else:
        parts["other"] += v[3]
print("  anonymous: " + ", ".join(f"{k} {v / 1024:.1f}" for k, v in parts.items()))
PY
}

build_server
copy_app
replace_in_app "${RUNTIMECONFIG:-}" Tyto.Host.runtimeconfig.json runtimeconfig
start_server
wait_healthy 120
started="$(date +%s)"
echo "Healthy at $(date -u +%H:%M:%S); $(memory_line "${SERVER_PID}")"

for at in ${AT}; do
    wait_s=$(( started + at - $(date +%s) ))
    (( wait_s > 0 )) && sleep "${wait_s}"
    require_alive
    echo
    echo "At ${at} s: $(memory_line "${SERVER_PID}")"
    anonymous_parts "${SERVER_PID}"
    if (( TOP > 0 )); then
        top_mappings "${SERVER_PID}"
    fi
done

stop_server
echo
echo "Server stopped on SIGTERM (exit code ${SERVER_EXIT_CODE}); warnings and errors in its log:"
grep -E -i 'warn|fail|error|exception' "${TMP}/server.log" | head -n 10 || true
