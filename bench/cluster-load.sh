#!/usr/bin/env bash
# Simulated agents against a cluster of three real nodes on one PostgreSQL (bench/README.md, section 11): starts a
# throwaway PostgreSQL in the temp dir (as nobody when root: initdb refuses root), three Tyto.Host nodes from one copy
# of the Release build output (each its own data dir, HTTP, agent and cluster port, the same cluster secret, every
# node a seed, Provider=postgres), then the cluster driver of Tyto.Bench: COUNT agents spread over the nodes, the
# sample → SSE latency on the last node, each node's CPU and memory, rows/s into history_raw, and, after killing the
# first node with SIGKILL, the time until every agent is back online. Everything started is stopped on exit.
#
# COUNT     simulated agents (default 1000)        DURATION  measured seconds after a 20 s warm-up (default 120)
# SKIP_BUILD=1  reuse the existing Release builds  LOGS  a directory to copy the nodes' and PostgreSQL's logs into
# Ports are free ones on 127.0.0.1, picked at start.
set -euo pipefail

readonly COUNT="${COUNT:-1000}"
readonly DURATION="${DURATION:-120}"
readonly NODES=3
readonly SECRET=bench-cluster-secret-0123456789
mapfile -t FREE < <(python3 -c 'import socket
s = [socket.socket() for _ in range(10)]
for x in s: x.bind(("127.0.0.1", 0))
print("\n".join(str(x.getsockname()[1]) for x in s))')
readonly PG_PORT="${FREE[9]}"
PORT="${FREE[0]}"

# shellcheck source=server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

NODE_PIDS=()
PG_PID=""
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
readonly PG_BIN
AS_POSTGRES=()
if [[ "$(id -u)" == 0 ]]; then
    AS_POSTGRES=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi

cluster_cleanup() {
    local pid
    for pid in "${NODE_PIDS[@]}"; do
        kill -TERM "${pid}" 2>/dev/null || true
    done
    for pid in "${NODE_PIDS[@]}"; do
        for _ in $(seq 1 20); do
            kill -0 "${pid}" 2>/dev/null || break
            sleep 1
        done
        kill -KILL "${pid}" 2>/dev/null || true
    done
    if [[ -n "${PG_PID}" ]]; then
        kill -INT "${PG_PID}" 2>/dev/null || true
        wait "${PG_PID}" 2>/dev/null || true
    fi
    if [[ -n "${LOGS:-}" ]]; then
        mkdir -p "${LOGS}"
        cp "${TMP}"/*.log "${LOGS}/" 2>/dev/null || true
    fi
    cleanup
}

bench_init cluster
trap cluster_cleanup EXIT

echo "PostgreSQL from ${PG_BIN} on port ${PG_PORT}"
mkdir -p "${TMP}/postgres"
chmod 711 "${TMP}"
[[ "$(id -u)" != 0 ]] || chown nobody:nogroup "${TMP}/postgres"
"${AS_POSTGRES[@]}" "${PG_BIN}/initdb" -D "${TMP}/postgres/data" -U postgres -A trust -E UTF8 --locale=C > "${TMP}/initdb.log" 2>&1 \
    || { cat "${TMP}/initdb.log" >&2; exit 1; }
"${AS_POSTGRES[@]}" "${PG_BIN}/postgres" -D "${TMP}/postgres/data" -h 127.0.0.1 -p "${PG_PORT}" -k "${TMP}/postgres" \
    -c max_connections=500 > "${TMP}/postgres.log" 2>&1 &
PG_PID=$!
for attempt in $(seq 1 60); do
    psql -h 127.0.0.1 -p "${PG_PORT}" -U postgres -qAtc 'CREATE DATABASE tyto' postgres > /dev/null 2>&1 && break
    if (( attempt == 60 )) || ! kill -0 "${PG_PID}" 2>/dev/null; then
        echo "PostgreSQL did not start; its log:" >&2
        cat "${TMP}/postgres.log" >&2
        exit 1
    fi
    sleep 1
done
readonly DATABASE="Host=127.0.0.1;Port=${PG_PORT};Username=postgres;Database=tyto"

build_server
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    dotnet build "${REPO}/bench/Tyto.Bench/Tyto.Bench.csproj" -c Release --nologo -v quiet --disable-build-servers > "${TMP}/bench-build.log" 2>&1 \
        || { tail -n 30 "${TMP}/bench-build.log" >&2; exit 1; }
fi
copy_app

SEEDS=()
for n in $(seq 0 $((NODES - 1))); do
    SEEDS+=("--Tyto:Cluster:Seeds:${n}=akka.ssl.tcp://tyto@127.0.0.1:${FREE[$((6 + n))]}")
done

# start_node N: node N (1-based) on its ports, its own data dir and log; the app copy is the content root.
start_node() {
    local n="$1" i=$(($1 - 1))
    mkdir -p "${TMP}/data-${n}"
    (cd "${TMP}/app" && exec dotnet Tyto.Host.dll --urls "http://127.0.0.1:${FREE[i]}" --Tyto:DataDir="${TMP}/data-${n}" \
        --Tyto:Auth:AdminPassword=bench-password-1 --Tyto:Collection:Interval=1 --Tyto:Agent:Id="node-${n}" \
        --Tyto:Agents:Listen="https://127.0.0.1:${FREE[$((3 + i))]}" --Tyto:Database:Provider=postgres \
        --Tyto:Database:ConnectionString="${DATABASE}" --Tyto:Cluster:Hostname=127.0.0.1 \
        --Tyto:Cluster:Port="${FREE[$((6 + i))]}" --Tyto:Cluster:Secret="${SECRET}" "${SEEDS[@]}") > "${TMP}/node-${n}.log" 2>&1 &
    NODE_PIDS+=($!)
    echo "Node ${n} pid $! on http://127.0.0.1:${FREE[i]}"
}

# wait_node N: until node N's /health says it is up in the cluster; exits if it dies or 120 s pass first.
wait_node() {
    local n="$1" i=$(($1 - 1))
    for attempt in $(seq 1 120); do
        if ! kill -0 "${NODE_PIDS[i]}" 2>/dev/null; then
            echo "Node ${n} exited early; its log:" >&2
            tail -n 50 "${TMP}/node-${n}.log" >&2
            exit 1
        fi
        [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:${FREE[i]}/health" 2>/dev/null | jq -r .cluster.status)" == up ]] && return 0
        sleep 1
    done
    echo "Node ${n} is not up after 120 s; its log:" >&2
    tail -n 50 "${TMP}/node-${n}.log" >&2
    exit 1
}

# The first node alone, so it forms the cluster and creates the schema; the others join it.
start_node 1
wait_node 1
for n in $(seq 2 "${NODES}"); do
    start_node "${n}"
done
for n in $(seq 2 "${NODES}"); do
    wait_node "${n}"
done

NODE_ARGS=()
for n in $(seq 1 "${NODES}"); do
    i=$((n - 1))
    NODE_ARGS+=("http://127.0.0.1:${FREE[i]},https://127.0.0.1:${FREE[$((3 + i))]},${NODE_PIDS[i]},node-${n}")
done
timeout $((DURATION + 600)) dotnet "${REPO}/bench/Tyto.Bench/bin/Release/net10.0/Tyto.Bench.dll" cluster bench-password-1 \
    "${DATABASE}" "${PG_PID}" "${COUNT}" "${DURATION}" "${NODE_ARGS[@]}"

for n in $(seq 1 "${NODES}"); do
    echo "Node ${n}: warnings and errors in its log (first 80 characters, counted):"
    grep -Ei 'warn|fail|error' "${TMP}/node-${n}.log" | cut -c 1-80 | sort | uniq -c | sort -rn | head -n 10 || true
done
