"""python -m kumo_intercept verify / inspect / compact / dump / salvage."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import pytest

from kumo_intercept import kumo
from kumo_intercept.integrations.cli import main
from kumo_intercept.store.persistence import recover

from store_helpers import put_ops


@pytest.fixture
def data(tmp_path):
    path = str(tmp_path / "data")
    with kumo(data_dir=path) as aws:
        boto3.client("sts").get_federation_token(Name="cli")
        blob, _ = aws.store.blobs.write([b"body" * 100])
        put_ops(aws, [("s3.objects", ("bucket", "key"), {"segs": [[blob, 400]]})])
        for i in range(20):
            put_ops(aws, [("sqs.things", i, {"i": i})])
        aws.snapshot("cp")
    return path


def _seg(path):
    return sorted(n for n in os.listdir(path) if n.startswith("seg-") and "." not in n)[-1]


def test_verify_ok_torn_and_damaged_exit_statuses(data, capsys):
    assert main(["verify", data, "--blobs"]) == 0
    assert "ok" in capsys.readouterr().out
    seg = os.path.join(data, _seg(data))
    with open(seg, "ab") as f:
        f.write(b"\x01\x02\x03")
    assert main(["verify", data]) == 3
    assert "torn tail" in capsys.readouterr().out
    with open(seg, "r+b") as f:
        f.seek(40)
        byte = f.read(1)
        f.seek(40)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert main(["verify", data, "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "damaged" and report["problems"][0]["offset"] is not None


def test_verify_reports_a_missing_blob(data, capsys):
    blobs = os.path.join(data, "blobs")
    for name in os.listdir(blobs):
        os.unlink(os.path.join(blobs, name))
    assert main(["verify", data]) == 1
    assert "referenced blob is missing" in capsys.readouterr().out


def test_inspect_shows_services_counts_sizes_and_last_sequence(data, capsys):
    assert main(["inspect", data, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["services"]["sqs"]["records"] == 20
    assert report["services"]["sts"]["tables"]["sts.credentials"]["records"] == 1
    assert report["last_seq"] > 20 and report["blobs"]["count"] == 1
    assert report["checkpoints"].keys() == {"cp"}
    assert main(["inspect", data]) == 0
    assert "sqs.things: 20 records" in capsys.readouterr().out


def test_dump_filters_by_service_and_table(data, capsys):
    assert main(["dump", data, "--service", "sqs"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["tables"]) == ["sqs.things"] and out["tables"]["sqs.things"][3] == [3, {"i": 3}]
    assert main(["dump", data, "--table", "s3.objects"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["s3.objects"][0][0] == ["bucket", "key"]


def test_compact_keeps_the_state_and_refuses_a_held_directory(data, capsys):
    before = recover(data).state.records
    assert main(["compact", data]) == 0
    assert recover(data).state.records == before
    with kumo(data_dir=data):
        assert main(["compact", data]) == 1
        assert "in use by process" in capsys.readouterr().err


def test_salvage_copies_the_newest_intact_state(data, tmp_path, capsys):
    """The segment is damaged halfway; the checkpoint taken after its last change is intact and newer
    than the valid prefix, so it is what salvage keeps (the prefix alone: test_untrusted_dir.py)."""
    seg = os.path.join(data, _seg(data))
    size = os.path.getsize(seg)
    with open(seg, "r+b") as f:
        f.seek(size // 2)
        f.write(b"\xff" * 8)
    assert main(["verify", data]) == 1
    out = str(tmp_path / "saved")
    assert main(["salvage", data, out]) == 0
    printed = capsys.readouterr().out
    assert "dropped from here on" in printed and "starting from chk-" in printed
    assert main(["verify", out]) == 0
    things = recover(out).state.records["sqs.things"]
    assert list(things) == list(range(20))
    with kumo(data_dir=out) as aws:
        assert len(aws.store.table("sqs.things")) == 20


@pytest.mark.parametrize("damage", ["garbage", "missing"])
def test_salvage_without_a_readable_manifest_orders_the_files_by_their_headers(tmp_path, capsys, damage):
    path = str(tmp_path / "d")
    with kumo(data_dir=path) as aws:
        table = aws.store.table("t.k")
        for i in range(30):
            table.put(i, {"n": i})
        aws.compact()  # a snapshot, and the segments after it
        for i in range(30, 45):
            table.put(i, {"n": i})
        table.delete(3)
    with kumo(data_dir=path) as aws:  # another segment, from another open
        aws.store.table("t.k").put(99, {"n": 99})
        expected = dict(aws.store.table("t.k").items())
    manifest = os.path.join(path, "MANIFEST")
    if damage == "missing":
        os.unlink(manifest)
    else:
        with open(manifest, "r+b") as f:
            f.seek(20)
            f.write(b"garbage")
    assert main(["verify", path]) == 1
    out = str(tmp_path / "saved")
    assert main(["salvage", path, out]) == 0
    assert "the files were ordered by their own headers" in capsys.readouterr().out
    assert recover(out).state.records["t.k"] == expected


def test_help_and_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "kumo_intercept", "--help"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0
    for command in ("verify", "inspect", "compact", "dump", "salvage"):
        assert command in result.stdout
    result = subprocess.run([sys.executable, "-m", "kumo_intercept", "verify", "/nonexistent/dir"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not a directory" in result.stderr
