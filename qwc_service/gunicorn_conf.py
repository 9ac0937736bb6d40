"""Production gunicorn settings: workers, threads, the access log and per-worker hooks.

    gunicorn -c python:qwc_service.gunicorn_conf qwc_service.wsgi:app


Threads let the deliberately slow password check of one login run while other calls
are answered. Every value can be overridden with gunicorn's own flags or QWC_* variables.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("QWC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("QWC_WORKERS", str(multiprocessing.cpu_count() * 2)))
worker_class = "gthread"
threads = int(os.environ.get("QWC_THREADS", "4"))
# The Web Connector keeps connections alive between the calls of an update.
keepalive = 15
timeout = 120
graceful_timeout = 30
# Each worker opens its own database pool after the fork.
preload_app = False
max_requests = 10000
max_requests_jitter = 1000
accesslog = os.environ.get("QWC_ACCESS_LOG") or None
logger_class = "qwc_service.http.accesslog.RedactingLogger"  # link tokens stay out
forwarded_allow_ips = os.environ.get("QWC_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: object) -> None:
    """Empty PROMETHEUS_MULTIPROC_DIR: an earlier run's counters must not add to this one's."""
    from qwc_service.metrics import clear_multiprocess_dir

    clear_multiprocess_dir()


def post_worker_init(worker: object) -> None:
    """Tune the garbage collector; tell the app its threads; maybe deliver webhooks too.

    The objects built at start-up (the app, SQLAlchemy's mappers, Spyne's schema) live as
    long as the worker: frozen, the collector stops re-scanning them. A round trip creates
    tens of thousands of short-lived objects, nearly none in cycles, so collecting the
    youngest generation every 20,000 allocations instead of 700 costs little memory and
    saves about a millisecond a round trip. Webhooks are delivered by a separate
    ``qwc-service webhook deliver`` process by default; either way, leases keep any number
    of deliverers from sending an event twice at once.

    The app sizes what depends on the worker's threads (how many API requests may wait
    for a job at once) from the thread count gunicorn really runs, flags included.
    """
    fit_to_threads = getattr(worker.wsgi, "fit_to_threads", None)  # type: ignore[attr-defined]
    if fit_to_threads is not None:  # another app (the benchmarks' floor) has nothing to size
        fit_to_threads(worker.cfg.threads)  # type: ignore[attr-defined]
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
    if os.environ.get("QWC_WEBHOOK_DELIVERY", "").strip().lower() == "thread":
        from qwc_service.webhooks.worker import start_delivery_thread

        start_delivery_thread(worker.wsgi.session_factory)  # type: ignore[attr-defined]
