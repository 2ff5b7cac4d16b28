"""Record schemas (store/schema.py): every table is declared, layout versions travel with snapshot files
and a different one is refused, and compaction keeps exactly the blobs the specs name."""

from __future__ import annotations

import dataclasses
import os

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.core.dispatch import BACKENDS, backend_class, catalog
from kumo_intercept.store.codec import CHECKPOINT, SNAPSHOT
from kumo_intercept.store.errors import PersistenceError
from kumo_intercept.store.persistence import publish, read_manifest, read_snapshot, snapshot_chunks
from kumo_intercept.store.schema import Catalog

from store_helpers import put_ops


def test_every_table_a_backend_opens_is_declared_as_it_opens_it():
    with kumo(clock="virtual") as aws:
        for service in BACKENDS:
            if backend_class(service) is not None:
                aws.backend(service)
        specs = catalog().specs
        opened = aws.store.tables()
        assert opened, "the backends open their tables when they are built"
        for name, table in opened.items():
            assert name in specs, f"{name} is not declared in its service's schema module"
            assert specs[name].ordered == table.ordered, name


def _rewrite_with_version(path: str, table: str, version: int) -> None:
    """Write the snapshot file at ``path`` again, its header saying ``table`` has layout ``version``."""
    state, header, _frames = read_snapshot(path, SNAPSHOT)
    tampered = Catalog([dataclasses.replace(spec, version=version) if spec.name == table else spec
                        for spec in catalog().specs.values()])
    info = {k: header[k] for k in ("label",) if k in header}
    publish(os.path.dirname(path), os.path.basename(path), snapshot_chunks(state, SNAPSHOT, info, set(), tampered))


def _queue_seed(tmp_path) -> str:
    seed = str(tmp_path / "seed")
    with kumo() as aws:
        boto3.client("sqs").create_queue(QueueName="orders")
        aws.export(seed)
    return seed


def test_a_seed_records_each_tables_version(tmp_path):
    seed = _queue_seed(tmp_path)
    _state, header, _frames = read_snapshot(os.path.join(seed, read_manifest(seed)["snapshot"]), SNAPSHOT)
    assert header["versions"]["sqs.queues"] == catalog().version("sqs.queues") == 1


def test_a_seed_with_another_layout_version_is_refused(tmp_path):
    seed = _queue_seed(tmp_path)
    _rewrite_with_version(os.path.join(seed, read_manifest(seed)["snapshot"]), "sqs.queues", 7)
    with pytest.raises(PersistenceError, match=r"table sqs\.queues .*version 7.*reads version 1"):
        with kumo(from_snapshot=seed):
            pass


def test_a_data_directory_with_another_layout_version_is_refused(tmp_path):
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        boto3.client("sqs").create_queue(QueueName="orders")
        aws.compact()  # the state is now in a snapshot file
    _rewrite_with_version(os.path.join(path, read_manifest(path)["snapshot"]), "sqs.queues", 2)
    with pytest.raises(PersistenceError, match=r"table sqs\.queues .*version 2.*reads version 1"):
        with kumo(data_dir=path):
            pass


def test_a_checkpoint_with_another_layout_version_is_refused(tmp_path):
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        boto3.client("sqs").create_queue(QueueName="orders")
        aws.snapshot("before")
    checkpoint = os.path.join(path, read_manifest(path)["checkpoints"]["before"])
    _state, header, _frames = read_snapshot(checkpoint, CHECKPOINT)
    assert header["versions"]["sqs.queues"] == 1
    with kumo(data_dir=path) as aws:
        tampered = Catalog([dataclasses.replace(spec, version=3) if spec.name == "sqs.queues" else spec
                            for spec in catalog().specs.values()])
        aws.persistence.directory.catalog = tampered  # this process now reads version 3
        with pytest.raises(PersistenceError, match=r"table sqs\.queues .*version 1.*reads version 3"):
            aws.restore("before")


def test_compaction_keeps_the_blobs_specs_name_and_no_look_alikes(tmp_path):
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        blobs = aws.store.blobs
        body, _ = blobs.write([b"an object body"])
        look_alike, _ = blobs.write([b"only named in a message body"])
        put_ops(aws, [("s3.objects", ("bucket", "key"), {"segs": [[body, 14]]}),
                      ("sqs.messages", (1, 1), {"body": look_alike})])  # a blob id by pattern only
        aws.compact()
        present = set(os.listdir(os.path.join(path, "blobs")))
        assert body in present  # s3.objects declares where its records hold blob ids
        assert look_alike not in present  # a 64-hex string elsewhere is no reference


def test_declared_blob_references():
    specs = catalog()
    assert specs.blob_tables() == ["lambda.functions", "lambda.layers", "lambda.versions",
                                   "s3.objects", "s3.parts", "s3.versions"]
    assert list(specs.blob_ids("s3.objects", {"segs": [["a" * 64, 3], ["b" * 64, 4]]})) == ["a" * 64, "b" * 64]
    assert list(specs.blob_ids("s3.objects", {"data": b"inline"})) == []
    assert list(specs.blob_ids("lambda.functions", {"Blob": "c" * 64})) == ["c" * 64]
    assert list(specs.blob_ids("lambda.functions", {"ImageUri": "repo:tag"})) == []
