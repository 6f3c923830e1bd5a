"""gunicorn's settings: ``gunicorn -c blog_project/gunicorn_conf.py blog_project.wsgi`` (`make serve`, the
Procfile, the systemd unit).

Read from the environment and the project's ``.env``, as the settings are: HOST, PORT, WEB_CONCURRENCY,
GUNICORN_TIMEOUT, LOG_LEVEL, LOG_FORMAT and REQUEST_ID_HEADER. Options on gunicorn's command line win.
"""

import os
from pathlib import Path

import environ

environ.Env.read_env(Path(__file__).resolve().parent.parent / ".env", overwrite=False)

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# Above DATABASE_STATEMENT_TIMEOUT, so that a slow query is cancelled (a 503) before its worker is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
loglevel = os.environ.get("LOG_LEVEL", "INFO").lower()

# Both logs to the process's output (the supervisor or journal keeps them): access lines on stdout, gunicorn's
# own on stderr, each through the site's formatter (gunicorn_logging.py).
accesslog = "-"
errorlog = "-"
logger_class = "blog_project.gunicorn_logging.Logger"
_request_id = os.environ.get("REQUEST_ID_HEADER", "X-Request-ID").lower()
# LOG_FORMAT=text: Apache's combined format, then the duration and the request id.
access_log_format = f'%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({{{_request_id}}}o)s'
# gunicorn 25+ opens a control socket in the user's home by default; nothing here uses it, and instances on one
# machine would share its path.
control_socket_disable = True


# prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, README "Metrics"): the folder is made and emptied
# when the server starts, so that a previous run's counts are not added to this one's; a worker that exits no
# longer counts in the watcher's health (/metrics also forgets the workers it finds gone).
def on_starting(server) -> None:
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker) -> None:
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid, folder)
