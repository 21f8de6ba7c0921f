#!/usr/bin/env bash
# Keep a crawl worker available: join any shared crawl (opened with `funding crawl --distributed`)
# of the sources in CRAWL_WORKER_SOURCES (space-separated; default: every declared source).
# `funding crawl-worker SOURCE` exits with an error when no shared crawl of SOURCE is open, and
# exits when the crawl is done, so this loop polls every CRAWL_WORKER_POLL seconds.
set -u
poll="${CRAWL_WORKER_POLL:-30}"
sources="${CRAWL_WORKER_SOURCES:-}"
if [[ -z "$sources" ]]; then
    sources="$(funding sources 2>/dev/null | awk 'NR > 1 && $1 ~ /^[a-z0-9_]+$/ {print $1}' | sort -u | tr '\n' ' ')"
fi
trap 'exit 0' TERM INT
echo "crawl worker: watching ${sources:-<none>} every ${poll}s"
while true; do
    for source in $sources; do
        if funding crawl-worker "$source" 2>/tmp/crawl-worker.err; then
            echo "crawl worker: shared crawl of $source done"
        elif ! grep -q "no shared crawl" /tmp/crawl-worker.err; then
            cat /tmp/crawl-worker.err >&2
        fi
    done
    sleep "$poll" & wait $!
done
