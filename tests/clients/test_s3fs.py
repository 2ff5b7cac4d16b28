"""s3fs (fsspec's S3 filesystem, under pandas and dask) on an emulated bucket: s3fs drives aiobotocore
clients from fsspec's own event-loop thread.

Facts: fsspec's ``AbstractFileSystem`` API reference (ls/info/exists/glob/walk/find/du semantics,
FileNotFoundError for missing paths) and s3fs's documentation (directories are key prefixes; files
larger than ``block_size`` are written with a multipart upload).
"""

from __future__ import annotations

from typing import Any, Iterator

import pytest
import s3fs

from kumo_intercept import Emulator, kumo

MiB = 1024 * 1024


@pytest.fixture
def aws() -> Iterator[Emulator]:
    with kumo(clock="virtual") as emulator:
        yield emulator


@pytest.fixture
def fs(aws: Emulator) -> Any:
    """A filesystem of its own (fsspec caches instances and listings across tests otherwise)."""
    filesystem = s3fs.S3FileSystem(skip_instance_cache=True, use_listings_cache=False)
    filesystem.mkdir("data-bucket")
    return filesystem


def _populate(fs: Any) -> None:
    fs.pipe({"data-bucket/raw/2024/a.csv": b"a,1\n", "data-bucket/raw/2024/b.csv": b"b,2\n",
             "data-bucket/raw/2025/c.json": b"{}", "data-bucket/top.txt": b"top"})


def test_write_then_read_binary_and_text(fs):
    with fs.open("data-bucket/notes/hello.txt", "w") as f:
        f.write("hello\nworld\n")
    with fs.open("data-bucket/notes/hello.txt", "rb") as f:
        assert f.read() == b"hello\nworld\n"
    with fs.open("data-bucket/notes/hello.txt", "r") as f:
        assert f.readlines() == ["hello\n", "world\n"]
    assert fs.cat("data-bucket/notes/hello.txt") == b"hello\nworld\n"


def test_seeking_reads_ranges(fs, aws):
    fs.pipe("data-bucket/digits", b"0123456789" * 1000)
    with fs.open("data-bucket/digits", "rb", block_size=100, cache_type="none") as f:
        f.seek(5005)
        assert f.read(7) == b"5678901"
        f.seek(-3, 2)
        assert f.read() == b"789"
    assert fs.cat_file("data-bucket/digits", start=10, end=14) == b"0123"
    ranges = [call.params.get("Range") for call in aws.calls if call.operation == "GetObject"]
    assert "bytes=5005-5011" in ranges and "bytes=10-13" in ranges


def test_large_files_are_written_in_parts(fs, aws):
    data = bytes(range(256)) * (12 * MiB // 256)
    with fs.open("data-bucket/big.bin", "wb", block_size=5 * MiB) as f:
        for offset in range(0, len(data), MiB):
            f.write(data[offset:offset + MiB])
    assert fs.size("data-bucket/big.bin") == len(data)
    assert fs.cat_file("data-bucket/big.bin", start=5 * MiB - 3, end=5 * MiB + 3) == data[5 * MiB - 3:5 * MiB + 3]
    assert fs.cat("data-bucket/big.bin") == data
    operations = [call.operation for call in aws.calls]
    assert operations.count("UploadPart") == 3 and "CompleteMultipartUpload" in operations


def test_ls_info_and_exists(fs):
    _populate(fs)
    assert fs.ls("data-bucket") == ["data-bucket/raw", "data-bucket/top.txt"]
    listed = {entry["name"]: entry for entry in fs.ls("data-bucket/raw/2024", detail=True)}
    assert set(listed) == {"data-bucket/raw/2024/a.csv", "data-bucket/raw/2024/b.csv"}
    assert listed["data-bucket/raw/2024/a.csv"]["size"] == 4 and listed["data-bucket/raw/2024/a.csv"]["type"] == "file"
    info = fs.info("data-bucket/top.txt")
    assert info["size"] == 3 and info["type"] == "file" and info["ETag"].strip('"')
    assert fs.info("data-bucket/raw")["type"] == "directory"
    assert fs.exists("data-bucket/raw/2025/c.json") and fs.exists("data-bucket/raw")
    assert not fs.exists("data-bucket/missing.txt") and not fs.exists("no-such-bucket/x")
    with pytest.raises(FileNotFoundError):
        fs.info("data-bucket/missing.txt")
    with pytest.raises(FileNotFoundError):
        fs.cat("data-bucket/missing.txt")


def test_glob_walk_find_and_du(fs):
    _populate(fs)
    assert fs.glob("data-bucket/raw/*/*.csv") == ["data-bucket/raw/2024/a.csv", "data-bucket/raw/2024/b.csv"]
    assert fs.glob("data-bucket/**/*.json") == ["data-bucket/raw/2025/c.json"]
    walked = list(fs.walk("data-bucket"))
    assert walked == [("data-bucket", ["raw"], ["top.txt"]), ("data-bucket/raw", ["2024", "2025"], []),
                      ("data-bucket/raw/2024", [], ["a.csv", "b.csv"]), ("data-bucket/raw/2025", [], ["c.json"])]
    assert fs.find("data-bucket/raw") == ["data-bucket/raw/2024/a.csv", "data-bucket/raw/2024/b.csv",
                                          "data-bucket/raw/2025/c.json"]
    assert fs.du("data-bucket") == 4 + 4 + 2 + 3


def test_copy_move_and_rm(fs):
    _populate(fs)
    fs.copy("data-bucket/top.txt", "data-bucket/copies/top.txt")
    fs.copy("data-bucket/raw/2024", "data-bucket/copies/2024", recursive=True)
    assert fs.cat("data-bucket/copies/top.txt") == b"top"
    assert fs.find("data-bucket/copies") == ["data-bucket/copies/2024/a.csv", "data-bucket/copies/2024/b.csv",
                                             "data-bucket/copies/top.txt"]
    fs.mv("data-bucket/copies/top.txt", "data-bucket/moved.txt")
    assert fs.cat("data-bucket/moved.txt") == b"top" and not fs.exists("data-bucket/copies/top.txt")
    fs.rm("data-bucket/moved.txt")
    fs.rm("data-bucket/raw", recursive=True)
    assert fs.find("data-bucket") == ["data-bucket/copies/2024/a.csv", "data-bucket/copies/2024/b.csv",
                                      "data-bucket/top.txt"]


def test_buckets_are_the_top_level(fs):
    fs.mkdir("second-bucket")
    assert {"data-bucket", "second-bucket"} <= set(fs.ls(""))
    fs.rmdir("second-bucket")
    assert not fs.exists("second-bucket")
