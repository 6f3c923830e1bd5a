"""The crontab lines for a production install: hourly backup, minutely publishing, daily retention and cleanup jobs."""

from __future__ import annotations

import sys
from pathlib import Path

from django.conf import settings


def crontab_lines(media: bool) -> list[str]:
    """``media``: whether the hourly backup also archives MEDIA_ROOT (media on the local disk)."""
    project = Path(settings.BASE_DIR)
    python = Path(sys.executable)
    manage = f"cd {project} && {python} manage.py"
    log = project / "var" / "log"
    backup = f"{project / 'scripts' / 'pg_backup.sh'}{' --media' if media else ''}"
    drill_source = " --from-storage backups" if settings.BACKUP_UPLOAD else ""  # the off-site copy, when made
    return [
        "# The blog's scheduled jobs (install with `crontab -e`); times are the server's.",
        f"# Create the log folder once: mkdir -p {log}",
        "# Hourly database backup; retention runs after each successful backup.",
        f"0 * * * * {backup} >> {log / 'pg_backup.log'} 2>&1",
        "# Weekly proof that the newest backup restores (into a scratch database, dropped afterwards).",
        f"15 4 * * 0 {manage} verify_backup latest >> {log / 'verify_backup.log'} 2>&1",
        "# Scheduled publishing, every minute.",
        f"* * * * * {manage} publish_scheduled >> {log / 'publish_scheduled.log'} 2>&1",
        "# LLM log retention, daily at 03:30.",
        f"30 3 * * * {manage} prune_llm_logs >> {log / 'prune_llm_logs.log'} 2>&1",
        "# The LLM metrics of the days just closed, stored once (the metrics page reads them), daily at 00:25.",
        f"25 0 * * * {manage} roll_up_llm_metrics --days 7 >> {log / 'roll_up_llm_metrics.log'} 2>&1",
        "# Old trash and editors' forgotten autosaves, daily at 03:45.",
        f"45 3 * * * {manage} purge_trash >> {log / 'purge_trash.log'} 2>&1",
        f"50 3 * * * {manage} purge_autosaves >> {log / 'purge_autosaves.log'} 2>&1",
        "# Finished task results of every queue (LLM calls, publishing) older than 30 days, expired sessions,",
        "# and login records (django-axes' access log) older than 30 days; daily from 03:55.",
        f"55 3 * * * {manage} prune_db_task_results --queue-name '*' --min-age-days 30"
        f" >> {log / 'prune_db_task_results.log'} 2>&1",
        f"0 4 * * * {manage} clearsessions >> {log / 'clearsessions.log'} 2>&1",
        f"5 4 * * * {manage} axes_reset_logs --age 30 >> {log / 'axes_reset_logs.log'} 2>&1",
        "# Daily restore drill: the newest backup restored into a scratch database, checked, timed, recorded.",
        f"40 4 * * * {manage} restore_drill{drill_source} >> {log / 'restore_drill.log'} 2>&1",
    ]
