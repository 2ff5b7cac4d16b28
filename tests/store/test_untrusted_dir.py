"""An untrusted data directory is safe to open: names it holds stay inside it, blobs are checked
against their content hash, nothing runs by itself, permissions are private, failures are clear."""

from __future__ import annotations

import errno
import io
import os
import zipfile

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.store import failpoints
from kumo_intercept.store.codec import SEGMENT, read_header
from kumo_intercept.store.errors import CorruptionError, DataDirReadOnly, PersistenceError, StorageError
from kumo_intercept.store.persistence import MANIFEST_NAME, manifest_bytes, read_manifest, recover, salvage

from role_helpers import create_service_role
from store_helpers import nonempty, put_ops, records


def _write_manifest(directory: str, manifest: dict) -> None:
    with open(os.path.join(directory, MANIFEST_NAME), "wb") as f:
        f.write(manifest_bytes(manifest))


def _directory_with_state(path: str) -> dict:
    with kumo(data_dir=path) as aws:
        put_ops(aws, [("t.a", "k", {"v": 1})])
    return read_manifest(path)


@pytest.mark.parametrize("bad", ["../victim", "{victim}", "seg-000001/../../victim", "seg\x00x", "..", ""])
def test_a_crafted_manifest_naming_a_file_outside_the_directory_is_refused_and_deletes_nothing(tmp_path, bad):
    victim = tmp_path / "victim"
    victim.write_bytes(b"not a segment: an open used to cut it as a torn tail and delete it")
    path = str(tmp_path / "data")
    manifest = _directory_with_state(path)
    bad = bad.format(victim=victim)
    _write_manifest(path, {**manifest, "segments": manifest["segments"] + [bad]})
    with pytest.raises(CorruptionError) as info:
        kumo(data_dir=path).start()
    assert repr(bad) in str(info.value) and "MANIFEST" in str(info.value)
    assert victim.exists()


@pytest.mark.parametrize("field", ["snapshot", "checkpoint"])
def test_snapshot_and_checkpoint_names_must_be_plain_names_too(tmp_path, field):
    path = str(tmp_path / "data")
    manifest = _directory_with_state(path)
    outside = str(tmp_path / "outside")
    if field == "snapshot":
        manifest = {**manifest, "snapshot": outside}
    else:
        manifest = {**manifest, "checkpoints": {"x": outside}}
    _write_manifest(path, manifest)
    with pytest.raises(CorruptionError, match="outside"):
        recover(path)


def _bucket_with_big_object(aws, body: bytes) -> str:
    """The blob id of ``body`` stored as an S3 object (bodies above 256 KiB go to blob files)."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket-1")
    s3.put_object(Bucket="bucket-1", Key="k", Body=body)
    [blob_id] = aws.store.blobs.ids()
    return blob_id


def test_a_flipped_byte_in_a_blob_is_a_corruption_error_after_a_restart_never_a_wrong_body(tmp_path):
    body = bytes(range(256)) * 2048  # 512 KiB
    with kumo(data_dir=str(tmp_path)) as aws:
        blob_id = _bucket_with_big_object(aws, body)
        assert boto3.client("s3").get_object(Bucket="bucket-1", Key="k")["Body"].read() == body  # written here: trusted
        path = aws.store.blobs.path(blob_id)
        aws.restart()
        with open(path, "r+b") as f:
            f.seek(300_000)
            value = f.read(1)[0]
            f.seek(300_000)
            f.write(bytes([value ^ 0x10]))
        with pytest.raises(CorruptionError, match=blob_id):
            boto3.client("s3").get_object(Bucket="bucket-1", Key="k")["Body"].read()


def test_a_blob_that_is_a_symbolic_link_is_never_followed(tmp_path):
    body = b"s" * (300 << 10)
    secret = tmp_path / "secret"
    secret.write_bytes(body)  # same content: only the link itself is wrong
    with kumo(data_dir=str(tmp_path / "data")) as aws:
        blob_id = _bucket_with_big_object(aws, body)
        path = aws.store.blobs.path(blob_id)
        aws.restart()
        os.unlink(path)
        os.symlink(secret, path)
        with pytest.raises(CorruptionError, match="symbolic link"):
            boto3.client("s3").get_object(Bucket="bucket-1", Key="k")["Body"].read()


def test_an_intact_blob_is_served_after_a_restart(tmp_path):
    body = os.urandom(400 << 10)
    with kumo(data_dir=str(tmp_path)) as aws:
        _bucket_with_big_object(aws, body)
        aws.restart()
        s3 = boto3.client("s3")
        assert s3.get_object(Bucket="bucket-1", Key="k")["Body"].read() == body
        assert s3.get_object(Bucket="bucket-1", Key="k", Range="bytes=10-19")["Body"].read() == body[10:20]


def test_no_space_left_while_writing_a_blob_is_a_storage_error_and_changes_nothing(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bucket-1")
        failpoints.configure("blob.write=enospc")
        try:
            with pytest.raises(StorageError, match="No space left on device") as info:
                s3.put_object(Bucket="bucket-1", Key="big", Body=b"x" * (3 << 20))
        finally:
            failpoints.configure(None)
        assert "changed nothing" in str(info.value)
        assert s3.list_objects_v2(Bucket="bucket-1")["KeyCount"] == 0
        assert os.listdir(os.path.join(str(tmp_path), "blobs")) == []  # no partial blob, no temp file
        s3.put_object(Bucket="bucket-1", Key="after", Body=b"y" * (1 << 20))  # the journal goes on
        aws.restart()
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="bucket-1")["Contents"]] == ["after"]


def test_files_are_0600_and_directories_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        path = str(tmp_path / "data")
        with kumo(data_dir=path) as aws:
            _bucket_with_big_object(aws, b"z" * (300 << 10))
            aws.snapshot("named")
            aws.compact()
            aws.export(str(tmp_path / "seed"))
        # a torn tail kept aside as *.corrupt is a file of ours too
        newest = read_manifest(path)["segments"][-1]
        with open(os.path.join(path, newest), "ab") as f:
            f.write(b"\x01" * 40)
        with kumo(data_dir=path):
            pass
    finally:
        os.umask(old)
    seen = set()
    for root in (path, str(tmp_path / "seed")):
        for folder, dirs, files in os.walk(root):
            assert os.stat(folder).st_mode & 0o777 == 0o700, folder
            for name in files:
                assert os.stat(os.path.join(folder, name)).st_mode & 0o777 == 0o600, name
                seen.add(name.split("-")[0].split(".")[0] if "-" in name else name)
    assert {"LOCK", "MANIFEST", "seg", "snap", "chk"} <= seen
    assert any(n.endswith(".corrupt") for n in os.listdir(path))


def _refuse_writes_under(monkeypatch, path: str) -> None:
    """A read-only directory. Root ignores permission bits, so as root the file system is simulated
    read-only (EROFS for any write or create under ``path``); otherwise the bits are real."""
    if os.geteuid() != 0:
        for folder, _dirs, files in os.walk(path):
            os.chmod(folder, 0o500)
            for name in files:
                os.chmod(os.path.join(folder, name), 0o400)
        return
    real_open = os.open
    writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC

    def read_only_open(file, flags, *args, **kwargs):
        if flags & writes and os.path.abspath(os.fsdecode(file)).startswith(path):
            raise OSError(errno.EROFS, "Read-only file system", file)
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)


def test_a_read_only_directory_is_a_clear_error_and_from_snapshot_reads_it(tmp_path, monkeypatch):
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        boto3.client("sqs").create_queue(QueueName="kept")
    before = {n: open(os.path.join(path, n), "rb").read() for n in os.listdir(path) if n != "blobs"}
    _refuse_writes_under(monkeypatch, path)
    with pytest.raises(DataDirReadOnly, match="from_snapshot") as info:
        kumo(data_dir=path).start()
    assert path in str(info.value)
    with kumo(from_snapshot=path):  # the documented way to start from it without writing it
        assert boto3.client("sqs").list_queues()["QueueUrls"][0].endswith("/kept")
    monkeypatch.undo()
    assert {n: open(os.path.join(path, n), "rb").read() for n in os.listdir(path) if n != "blobs"} == before


def _forwarding_function(path: str) -> tuple[str, str]:
    """A directory holding an SQS → Lambda mapping whose function forwards each body to ``out``.
    Returns the source and out queue URLs."""
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "import os, boto3\n"
                                   "def handler(event, context):\n"
                                   "    for record in event['Records']:\n"
                                   "        boto3.client('sqs').send_message(QueueUrl=os.environ['OUT'], MessageBody=record['body'])\n")
    with kumo(data_dir=path):
        sqs, lam = boto3.client("sqs"), boto3.client("lambda")
        source = sqs.create_queue(QueueName="source")["QueueUrl"]
        out = sqs.create_queue(QueueName="out")["QueueUrl"]
        role = create_service_role("arn:aws:iam::123456789012:role/r")["Arn"]
        lam.create_function(FunctionName="forward", Role=role, Runtime="python3.12",
                            Handler="app.handler", Code={"ZipFile": code.getvalue()},
                            Environment={"Variables": {"OUT": out}})
        arn = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName="forward")
    return source, out


def _bodies(sqs, url: str) -> list[str]:
    return [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])]


@pytest.mark.parametrize("resume", ["resume_background", "first_lambda_call"])
def test_opening_a_directory_runs_no_lambda_code_until_lambda_is_used_or_resumed(tmp_path, resume):
    path = str(tmp_path / "data")
    source, out = _forwarding_function(path)
    with kumo(data_dir=path) as aws:
        sqs = boto3.client("sqs")
        assert aws.background_paused
        sqs.send_message(QueueUrl=source, MessageBody="waits")  # an unrelated call: used to run the function
        boto3.client("sts").get_caller_identity()
        aws.drain()
        attributes = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["ApproximateNumberOfMessages"])
        assert attributes["Attributes"]["ApproximateNumberOfMessages"] == "1"
        assert _bodies(sqs, out) == []
        if resume == "resume_background":
            aws.resume_background()
        else:
            boto3.client("lambda").list_functions()
        assert not aws.background_paused
        assert _bodies(sqs, out) == ["waits"]
        aws.restart()  # a restart inside the process keeps the mappings running
        sqs.send_message(QueueUrl=source, MessageBody="after restart")
        assert _bodies(sqs, out) == ["after restart"]


def test_an_empty_directory_starts_with_background_work_running(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        assert not aws.background_paused


def _flip_byte(path: str, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        value = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([value ^ 0x01]))


def test_salvage_of_damage_in_the_middle_of_a_segment_keeps_exactly_a_true_prefix(small_dir, tmp_path):
    path, newest, frames = small_dir["path"], small_dir["newest"], small_dir["frames"]
    _flip_byte(os.path.join(path, newest), frames[2] + 20)  # inside the third commit; later frames intact
    report = salvage(path, str(tmp_path / "out"))
    assert report["dropped"] and newest in report["dropped"][0]
    salvaged = nonempty(recover(str(tmp_path / "out")).state.records)
    assert salvaged == small_dir["states"][2]  # the state after the first two commits, nothing of later ones


def _history_with_checkpoint(path: str) -> tuple[dict, dict]:
    """A directory: snapshot (after compaction), more commits, a checkpoint, more commits. Returns the
    records at the checkpoint and at the end."""
    with kumo(data_dir=path) as aws:
        for i in range(5):
            put_ops(aws, [("t.a", i, {"v": i})])
        aws.compact()
        put_ops(aws, [("t.a", 5, {"v": 5}), ("t.a", 0, None)])
        aws.snapshot("named")
        at_checkpoint = records(aws)
        put_ops(aws, [("t.a", 6, {"v": 6})])
        final = records(aws)
    return at_checkpoint, final


def test_salvage_of_a_damaged_snapshot_uses_the_intact_checkpoint_not_a_patchwork(tmp_path):
    path = str(tmp_path / "data")
    at_checkpoint, final = _history_with_checkpoint(path)
    snapshot = os.path.join(path, read_manifest(path)["snapshot"])
    _flip_byte(snapshot, os.path.getsize(snapshot) // 2)
    report = salvage(path, str(tmp_path / "out"))
    assert report["base"].startswith("chk-")
    assert nonempty(recover(str(tmp_path / "out")).state.records) == at_checkpoint != final


def test_salvage_prefers_a_checkpoint_newer_than_the_damage(tmp_path):
    path = str(tmp_path / "data")
    at_checkpoint, _final = _history_with_checkpoint(path)
    segment = os.path.join(path, read_manifest(path)["segments"][0])  # the first segment after the snapshot
    with open(segment, "rb") as f:
        _header, _seq, first_frame = read_header(f.read(), segment, SEGMENT)
    _flip_byte(segment, first_frame + 20)  # the commit before the checkpoint
    assert nonempty(salvage_records(path, str(tmp_path / "out"))) == at_checkpoint


def salvage_records(path: str, out: str) -> dict:
    salvage(path, out)
    return recover(out).state.records


def test_salvage_with_a_damaged_snapshot_and_no_checkpoint_refuses_to_invent_a_state(small_dir, tmp_path):
    path = small_dir["path"]
    snapshot = os.path.join(path, read_manifest(path)["snapshot"])
    _flip_byte(snapshot, os.path.getsize(snapshot) // 2)
    with pytest.raises(PersistenceError, match="nothing to salvage"):
        salvage(path, str(tmp_path / "out"))
    assert not os.path.exists(tmp_path / "out")
