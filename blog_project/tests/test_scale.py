"""Two hosts on one database, one Redis and one S3 bucket (`make scale-test`; README, "Running at scale").

Two gunicorn instances and two ``run_worker`` processes, as two machines would run them, on the test
database, a ``redis-server`` of the test's own and moto's S3 server: an edit made through one instance is
served at once by both, each task runs exactly once, an uploaded image lands in the bucket and both link it,
and a worker killed mid-task loses nothing. Not part of `make test` (the ``scale`` marker).
"""

import os
import re
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import boto3
import pytest
from django_tasks_db.models import DBTaskResult

from blog_project.task_worker import LOST
from blog_project.tests.fault_servers import RedisServer
from blog_project.tests.metrics_text import parse, value
from blog_project.tests.scale_servers import TaskWorker, WebInstance
from blog_project.tests.scale_tasks import record_run
from testing.images import encoded, photo

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]

BUCKET = "blog-scale-media"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test-key",
    "AWS_SECRET_ACCESS_KEY": "test-secret",
    "AWS_S3_REGION_NAME": "us-east-1",
}
PASSWORD = "a-long-pass-phrase-for-the-scale-test"


@pytest.fixture
def redis(tmp_path):
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run installs Debian's redis-server package.")
        pytest.skip("redis-server is not installed (apt-get install redis-server); the scale test needs it.")
    server = RedisServer(tmp_path)
    yield server
    server.kill()


@pytest.fixture
def s3():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=CREDENTIALS["AWS_S3_REGION_NAME"],
    )
    client.create_bucket(Bucket=BUCKET)
    client.endpoint = endpoint
    yield client
    server.stop()


@pytest.fixture
def hosts(production_environment, redis, s3, tmp_path):
    """Two web instances and two workers, each with a log in tmp_path; stopped after the test."""
    environment = {
        **production_environment,
        "REDIS_URL": redis.url,
        "CONN_MAX_AGE": "60",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": s3.endpoint,
        **CREDENTIALS,
        "TASK_LEASE_CHECK_SECONDS": "1",
    }
    hosts = Hosts([WebInstance(environment, tmp_path / f"web-{name}.log") for name in "ab"], [], environment)
    try:
        for web in hosts.webs:
            web.wait_until_serving()
        yield hosts
    finally:
        for web in hosts.webs:
            web.stop()
        for worker in hosts.workers:
            worker.kill()


@dataclass
class Hosts:
    webs: list[WebInstance]
    workers: list[TaskWorker]
    environment: dict

    def start_workers(self, log_dir) -> None:
        self.workers += [TaskWorker(self.environment, log_dir / f"worker-{name}.log", name) for name in "ab"]


def scrape(web: WebInstance) -> dict:
    response, body = web.get("/metrics")
    assert response.status == 200, body[:300]
    return parse(body.decode())


def page(web: WebInstance, path: str) -> str:
    response, body = web.get(path)
    assert response.status == 200, body[:300]
    return body.decode()


def eventually(condition, seconds: float, message: str):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        assert time.monotonic() < deadline, message
        time.sleep(0.05)
    return result


def log_in(web: WebInstance, username: str) -> None:
    web.get("/admin/login/")
    response, body = web.post("/admin/login/?next=/admin/", {"username": username, "password": PASSWORD})
    assert response.status == 302, body[:500]


def statuses(ids) -> dict[str, int]:
    rows = DBTaskResult.objects.filter(id__in=list(ids)).values_list("status", flat=True)
    return {status: list(rows).count(status) for status in set(rows)}


def test_two_hosts_share_pages_tasks_and_media_and_lose_no_task(hosts, s3, tmp_path, django_user_model):
    from content.tests.factories import ImageSectionFactory, PostFactory, SectionFactory
    from media_library.models import Image

    a, b = hosts.webs
    django_user_model.objects.create_superuser("scale-admin", "scale@example.org", PASSWORD)
    post = PostFactory(title="Served by two hosts", slug="two-hosts")
    SectionFactory(post=post, position=1, content="Before the picture.")
    url = post.get_absolute_url()

    # The page cache is shared in Redis: a page A rendered is a hit on B.
    assert "Before the picture." in page(a, url)
    hits_before = value(scrape(b), "blog_page_cache_hits_total")
    assert "Before the picture." in page(b, url)
    assert value(scrape(b), "blog_page_cache_hits_total") == hits_before + 1

    # An image uploaded through A lands in the bucket, and once a post shows it both instances link it there.
    keys_before = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    log_in(a, "scale-admin")
    picture = ("lighthouse.jpg", encoded(photo(640, 427), "JPEG"), "image/jpeg")
    response, body = a.post("/admin/media_library/image/upload/", {"alt_text": "", "caption": ""}, {"files": picture})
    assert response.status == 302, body[:800]
    image_id = int(re.search(r"/image/(\d+)/change/", response.getheader("Location"))[1])
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])} - keys_before
    image = Image.objects.get(pk=image_id)
    assert image.path.name in keys and len(keys) >= 2  # the original and its rendition(s)
    ImageSectionFactory(post=post, position=2, image=image)  # committed by a third process
    bucket_url = f"{s3.endpoint}/{BUCKET}/"
    for web in (a, b):  # once each instance's watcher has heard of that commit: milliseconds, as for the edit below
        linked = eventually(
            lambda web=web: set(re.findall(re.escape(bucket_url) + r'([^"\s,?]+)', page(web, url))),
            2,
            "an instance served the page from before the section was added",
        )
        assert linked <= keys, (linked, keys)

    # An edit through B (A's session: sessions live in the database) is served fresh by both.
    b.cookies = dict(a.cookies)
    b.get(f"/admin/media_library/image/{image_id}/change/")
    edit = {"alt_text": "A lighthouse at dusk", "caption": "", "image_prompt": "", "notes": "", "_save": "Save"}
    response, body = b.post(f"/admin/media_library/image/{image_id}/change/", edit)
    assert response.status == 302, body[:800]
    assert 'alt="A lighthouse at dusk"' in page(b, url)
    eventually(lambda: 'alt="A lighthouse at dusk"' in page(a, url), 2, "A served the page from before the edit")
    for web in (a, b):
        samples = scrape(web)
        assert value(samples, "blog_content_state_watcher_healthy", channel="content_state") == 1
        assert value(samples, "blog_content_state_watcher_sessions", channel="content_state") >= 2

    # Tasks queued before any worker runs show in both instances' metrics, read from the database.
    runs = tmp_path / "runs.txt"
    first = [record_run.enqueue(str(runs), number, 0.2).id for number in range(30)]  # 6 s of work: both start in time
    for web in (a, b):
        assert value(scrape(web), "blog_task_queue_depth", queue="default") == 30
    hosts.start_workers(tmp_path)
    eventually(lambda: statuses(first) == {"SUCCESSFUL": 30}, 60, f"tasks left: {statuses(first)}")
    lines = runs.read_text().splitlines()
    assert sorted(int(line.split()[0]) for line in lines) == list(range(30))  # each once, none twice
    ran_on = {row[-1] for row in DBTaskResult.objects.filter(id__in=first).values_list("worker_ids", flat=True)}
    assert ran_on == {"lease-a", "lease-b"}  # both workers took their share

    # A worker killed in the middle of a task: the other fails that task with the reason, and runs the rest.
    slow = record_run.enqueue(str(runs), 1000, 60)
    eventually(lambda: DBTaskResult.objects.get(id=slow.id).status == "RUNNING", 20, "the slow task never started")
    killed_id = DBTaskResult.objects.get(id=slow.id).worker_ids[-1]
    after = [record_run.enqueue(str(runs), number, 0.05).id for number in range(100, 110)]
    killed = next(worker for worker in hosts.workers if f"lease-{worker.worker_id}" == killed_id)
    killed.kill()
    eventually(lambda: DBTaskResult.objects.get(id=slow.id).status == "FAILED", 20, "the lost task stayed running")
    eventually(lambda: statuses(after) == {"SUCCESSFUL": 10}, 20, f"tasks left: {statuses(after)}")
    lost = DBTaskResult.objects.get(id=slow.id)
    assert lost.exception_class_path == LOST[0] and LOST[1] in lost.traceback
    numbers = [int(line.split()[0]) for line in runs.read_text().splitlines()]
    assert sorted(numbers) == [*range(30), *range(100, 110)]  # the killed task never finished, nothing ran twice
    with ThreadPoolExecutor(2) as pool:  # and both instances still answer
        assert all(pool.map(lambda web: "lighthouse" in page(web, url), hosts.webs))
