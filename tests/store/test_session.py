"""Restart, named snapshots, export and seeds, KUMO_DATA_DIR, ids and clock continuity, compaction."""

from __future__ import annotations

import os
import threading

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.core.errors import ConfigurationError, KumoError
from kumo_intercept.store.persistence import read_manifest, recover

from store_helpers import put_ops, records

def _credentials(name: str) -> dict:
    return boto3.client("sts").get_federation_token(Name=name)["Credentials"]


def test_stop_and_start_again_continues_state_ids_and_virtual_clock(tmp_path):
    path = str(tmp_path)
    with kumo(data_dir=path, clock="virtual", seed=7) as aws:
        key = _credentials("one")["AccessKeyId"]
        aws.clock.advance(1800)  # within the credentials' hour, so they still work after the restart
        counter, now = aws.ids.counter, aws.clock.time()
    with kumo(data_dir=path, clock="virtual", seed=7) as aws:
        assert aws.ids.counter == counter and aws.clock.time() == now
        identity = boto3.client("sts", aws_access_key_id=key, aws_secret_access_key="x").get_caller_identity()
        assert identity["Arn"] == "arn:aws:sts::123456789012:federated-user/one"
        counter = aws.ids.counter
        second = _credentials("two")["AccessKeyId"]
    with kumo(seed=7, clock="virtual") as fresh:  # the same seed without the directory: ids would repeat
        fresh.ids.resume(counter)
        assert _credentials("two")["AccessKeyId"] == second  # so the restart continued exactly


def test_restart_inside_the_process_recovers_from_disk(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        _credentials("aa")
        before = records(aws)
        aws.store.table("sts.credentials")._data["forged"] = {"x": 1}  # memory only, never journaled
        aws.restart()
        assert records(aws) == before
        _credentials("bb")
        assert len(aws.store.table("sts.credentials")) == 2


@pytest.mark.parametrize("operation", ["restart", "compact"])
def test_restart_and_compact_refuse_to_run_under_the_emulators_lock(tmp_path, operation):
    with kumo(data_dir=str(tmp_path)) as aws:
        _credentials("kept")
        with aws.lock:  # a background compaction waiting for this lock would never finish
            with pytest.raises(KumoError, match="holds aws.lock"):
                getattr(aws, operation)()
        getattr(aws, operation)()  # fine once the lock is released
        assert "kept" in str(records(aws))


def test_restart_without_a_data_dir_is_a_clear_error():
    with kumo() as aws:
        with pytest.raises(ConfigurationError, match="data directory"):
            aws.restart()


def test_after_a_crash_ids_skip_ahead_so_none_is_reused(tmp_path):
    path = str(tmp_path)
    aws = kumo(data_dir=path).start()
    _credentials("xx")
    boto3.client("sts").get_caller_identity()  # draws a request id, journals nothing
    drawn = aws.ids.counter
    # simulate kill -9: drop the journal without its CLOSE frame
    os.close(aws.store.journal._fd)
    aws.persistence.directory._release()
    aws.persistence.directory = None
    aws.store.journal = None
    aws.stop()
    assert recover(path).state.ids > drawn


@pytest.mark.parametrize("with_dir", [True, False])
def test_snapshot_and_restore_with_or_without_a_data_directory(tmp_path, with_dir):
    options = {"data_dir": str(tmp_path)} if with_dir else {}
    with kumo(**options) as aws:
        _credentials("kept")
        aws.snapshot("base")
        _credentials("later")
        counter = aws.ids.counter
        aws.restore("base")
        names = [v["Arn"].rsplit("/", 1)[1] for v in aws.store.table("sts.credentials").values()]
        assert names == ["kept"]
        assert aws.ids.counter == counter  # ids go on: nothing issued after the snapshot is reused
        _credentials("again")
        aws.restore("base")
        assert len(aws.store.table("sts.credentials")) == 1
        assert aws.snapshots() == ["base"]
        with pytest.raises(ConfigurationError, match="no snapshot named 'nope'"):
            aws.restore("nope")
    if with_dir:
        with kumo(**options) as aws:  # the restored state and the named snapshot survive a restart
            assert len(aws.store.table("sts.credentials")) == 1
            assert aws.snapshots() == ["base"]
            _credentials("new")
            aws.restore("base")
            assert len(aws.store.table("sts.credentials")) == 1


def test_export_publishes_a_seed_that_many_emulators_start_from_without_changing_it(tmp_path):
    seed = str(tmp_path / "seed")
    with kumo() as aws:
        for i in range(3):
            _credentials(f"s{i}")
        blob_id, _size = aws.store.blobs.write([b"payload" * 1000])
        aws.store.table("s3.objects").put(("b", "obj"), {"segs": [[blob_id, 7000]]})
        manifest = aws.export(seed, label="three sessions")
        with pytest.raises(Exception, match="already exists"):
            aws.export(seed)
    assert manifest["label"] == "three sessions" and read_manifest(seed)["format"] == 1
    before = {n: os.path.getmtime(os.path.join(seed, n)) for n in os.listdir(seed)}
    results = []

    def worker(i: int) -> None:
        with kumo(from_snapshot=seed, data_dir=str(tmp_path / f"w{i}")) as aws:
            rec = aws.store.table("s3.objects")[("b", "obj")]
            results.append((len(aws.store.table("sts.credentials")),
                            aws.store.blobs.read(rec["segs"][0][0])))
            _credentials(f"worker{i}")

    for i in range(3):
        worker(i)
    with kumo(from_snapshot=seed) as aws:  # in memory too
        results.append((len(aws.store.table("sts.credentials")), b"payload" * 1000))
    assert all(r == (3, b"payload" * 1000) for r in results)
    assert {n: os.path.getmtime(os.path.join(seed, n)) for n in os.listdir(seed)} == before
    with kumo(from_snapshot=seed, data_dir=str(tmp_path / "w0")) as aws:  # an existing dir keeps its own state
        assert len(aws.store.table("sts.credentials")) == 4
    assert not [n for n in os.listdir(tmp_path) if ".tmp" in n]


def test_kumo_data_dir_env_is_the_default_with_a_folder_per_xdist_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("KUMO_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    with kumo() as aws:
        assert aws.data_dir == str(tmp_path / "gw3")
        _credentials("env")
    assert os.path.exists(tmp_path / "gw3" / "MANIFEST")
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert kumo().data_dir == str(tmp_path)
    assert kumo(data_dir=str(tmp_path / "explicit")).data_dir == str(tmp_path / "explicit")


def test_without_a_data_dir_nothing_touches_the_disk(monkeypatch):
    monkeypatch.delenv("KUMO_DATA_DIR", raising=False)
    with kumo() as aws:
        _credentials("mem")
        assert aws.store.journal is None and aws.data_dir is None


def test_bad_durability_is_refused_at_construction():
    with pytest.raises(ConfigurationError, match="durability"):
        kumo(durability="sometimes")
    assert kumo(durability="250ms").persistence.mode == "interval"


def test_compaction_keeps_the_directory_within_about_twice_the_live_state(tmp_path):
    path = str(tmp_path)
    with kumo(data_dir=path) as aws:
        directory = aws.persistence.directory
        directory.compact_min_bytes = 64 << 10
        directory._set_compact_at()
        sizes = []
        for round_ in range(40):
            for i in range(200):  # overwrite the same 200 records again and again
                put_ops(aws, [("t.big", i, {"round": round_, "pad": "y" * 200})])
            directory.wait_for_compaction()
            sizes.append(sum(os.path.getsize(os.path.join(path, n)) for n in os.listdir(path)
                             if os.path.isfile(os.path.join(path, n))))
        live = aws.compact()["bytes"]
        assert directory.compaction_error is None
    assert max(sizes[10:]) <= 2 * live + 2 * directory.compact_min_bytes + 8192
    assert len(recover(path).state.records["t.big"]) == 200


def test_blobs_are_collected_only_once_nothing_on_disk_references_them(tmp_path):
    path = str(tmp_path)
    with kumo(data_dir=path) as aws:
        blobs = aws.store.blobs
        old, _ = blobs.write([b"old body"])
        aws.store.table("s3.objects").put(("b", "k"), {"segs": [[old, 8]]})
        aws.snapshot("keep-old")
        new, _ = blobs.write([b"new body"])
        aws.store.table("s3.objects").put(("b", "k"), {"segs": [[new, 8]]})
        orphan, _ = blobs.write([b"never referenced"])
        blobs.discard(old)  # a no-op under persistence: compaction decides
        aws.compact()
        present = set(os.listdir(os.path.join(path, "blobs")))
        assert old in present and new in present and orphan not in present  # old: the checkpoint needs it
        aws.restore("keep-old")
        assert blobs.read(old) == b"old body"
        aws.store.table("s3.objects").put(("b", "k"), {"segs": [[new, 8]]})
        aws.store.table("s3.objects").delete(("b", "k"))
        blobs.keepers.append(lambda: [new])  # an open reader pins it
        aws.compact()
        present = set(os.listdir(os.path.join(path, "blobs")))
        assert new in present and old in present


def test_fsync_group_commit_serves_concurrent_writers(tmp_path):
    with kumo(data_dir=str(tmp_path), durability="fsync") as aws:
        errors = []

        def work(n: int) -> None:
            try:
                for i in range(20):
                    boto3.client("sts").get_federation_token(Name=f"t{n}-{i}")
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert aws.store.journal._synced == aws.store.journal.last_seq
    assert len(recover(str(tmp_path)).state.records["sts.credentials"]) == 80


def test_reset_is_journaled(tmp_path):
    with kumo(data_dir=str(tmp_path)) as aws:
        _credentials("gone")
        aws.reset()
    with kumo(data_dir=str(tmp_path)) as aws:
        assert records(aws) == {}
