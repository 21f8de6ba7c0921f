#!/usr/bin/env bash
# Back up the Funding Radar database: PostgreSQL (pg_dump custom format) or SQLite (online .backup).
# Reads FUNDING_DATABASE_URL (or FUNDING_DATA_DIR for the default SQLite file) from the environment.
#   BACKUP_DIR      where dumps go            (default /var/backups/funding-radar)
#   RETENTION_DAYS  dumps older are deleted   (default 14)
# Usage: backup.sh            # from cron / funding-backup.timer / `docker compose exec`
# Restore: see deploy/README.md, "Backups and restore".
set -euo pipefail

BACKUP_DIR="${BACKUP_DIR:-/var/backups/funding-radar}"
RETENTION_DAYS="${RETENTION_DAYS:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
url="${FUNDING_DATABASE_URL:-sqlite:///${FUNDING_DATA_DIR:-$HOME/.local/share/funding-radar}/funding.db}"

mkdir -p "$BACKUP_DIR"
umask 077

case "$url" in
    postgresql*|postgres*)
        # pg_dump understands postgresql:// URLs; drop a SQLAlchemy driver suffix (+psycopg).
        pg_url="${url/postgresql+psycopg:/postgresql:}"
        pg_url="${pg_url/postgresql+psycopg2:/postgresql:}"
        out="$BACKUP_DIR/funding-$stamp.dump"
        pg_dump --format=custom --compress=6 --no-owner --file="$out.partial" "$pg_url"
        mv "$out.partial" "$out"
        pattern='funding-*.dump'
        ;;
    sqlite:///*)
        db="${url#sqlite:///}"
        [[ -f "$db" ]] || { echo "backup: no SQLite database at $db" >&2; exit 1; }
        out="$BACKUP_DIR/funding-$stamp.sqlite3"
        # .backup is consistent while the app writes (WAL); a plain cp of funding.db is not.
        sqlite3 "$db" ".timeout 60000" ".backup '$out.partial'"
        sqlite3 "$out.partial" "PRAGMA integrity_check;" | grep -qx ok
        mv "$out.partial" "$out"
        gzip -6 "$out"
        out="$out.gz"
        pattern='funding-*.sqlite3.gz'
        ;;
    *)
        echo "backup: unsupported database URL: ${url%%:*}:..." >&2
        exit 2
        ;;
esac

echo "backup: wrote $out ($(du -h "$out" | cut -f1))"
find "$BACKUP_DIR" -maxdepth 1 -type f -name "$pattern" -mtime "+$RETENTION_DAYS" -print -delete \
    | sed 's/^/backup: removed old /'
