#!/usr/bin/env bash
# Cron wrapper: back up the blog's database (see README, "Operations").
#   0 * * * * /path/to/blog/scripts/pg_backup.sh >> /path/to/blog/var/log/pg_backup.log 2>&1
# Arguments are passed to `manage.py pg_backup` (e.g. --media, --format custom).
# Exit status is pg_backup's: non-zero with one line on stderr when anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${BLOG_PYTHON:-.venv/bin/python}"
if [ ! -x "$python" ]; then
    echo "$(date -u +%FT%TZ) pg_backup.sh: $python not found; run 'make install' in $(pwd) first" >&2
    exit 2
fi
echo "$(date -u +%FT%TZ) pg_backup.sh: starting"
exec "$python" manage.py pg_backup "$@"
