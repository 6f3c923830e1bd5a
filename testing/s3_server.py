"""moto's S3-compatible server on 127.0.0.1 for tests (real HTTP, in-memory buckets), and a fresh bucket per test.

Loaded as a pytest plugin by the project's conftest.py: fixtures ``s3_endpoint`` (one server per
session) and ``s3_bucket`` (a new bucket with a client and the STORAGES options that reach it).
"""

import uuid
from dataclasses import dataclass

import pytest

CREDENTIALS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret", "region_name": "us-east-1"}


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object

    def storage_options(self, **options) -> dict:
        """OPTIONS of a django-storages S3Storage on this bucket."""
        return {
            "bucket_name": self.name,
            "endpoint_url": self.endpoint,
            "access_key": CREDENTIALS["aws_access_key_id"],
            "secret_key": CREDENTIALS["aws_secret_access_key"],
            "region_name": CREDENTIALS["region_name"],
            **options,
        }

    def objects(self) -> dict[str, bytes]:
        """Every object's key and content."""
        listing = self.client.list_objects_v2(Bucket=self.name).get("Contents", [])
        return {
            item["Key"]: self.client.get_object(Bucket=self.name, Key=item["Key"])["Body"].read() for item in listing
        }


@pytest.fixture(scope="session")
def s3_endpoint():
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint):
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, **CREDENTIALS)
    name = f"test-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name)
    bucket = Bucket(name, s3_endpoint, client)
    yield bucket
    for key in bucket.objects():
        client.delete_object(Bucket=name, Key=key)
    client.delete_bucket(Bucket=name)
