"""The state store: tables, ordered range scans, transactions with undo, watchers, journal hand-off."""

from __future__ import annotations

import pytest

from kumo_intercept.store import Store


class RecordingJournal:
    def __init__(self):
        self.frames = []

    def commit(self, ops):
        self.frames.append(list(ops))


def test_tables_are_created_on_first_use_and_kept():
    store = Store()
    table = store.table("svc.things")
    table.put("a", {"n": 1})
    assert store.table("svc.things") is table
    assert table.get("a") == {"n": 1} and "a" in table and len(table) == 1
    assert table.delete("a") == {"n": 1}
    assert table.delete("a") is None


def test_ordered_table_scans_ranges_in_key_order():
    store = Store()
    table = store.ordered_table("svc.keys")
    for key in ["b", "a", "é", "c/1", "c/2", "d"]:
        table.put(("bucket", key), key)
    assert [k[1] for k in table.irange(("bucket", "b"), ("bucket", "c/9"))] == ["b", "c/1", "c/2"]
    assert [k[1] for k in table.irange(reverse=True)][:2] == ["é", "d"]
    assert table.first_key() == ("bucket", "a") and table.last_key() == ("bucket", "é")
    assert table.key_at(table.bisect_left(("bucket", "c"))) == ("bucket", "c/1")


def test_code_point_order_equals_utf8_byte_order():
    keys = ["a", "\u00ff", "\u0100", "\uffff", "\U00010000", "z"]
    assert sorted(keys) == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_a_transaction_is_one_journal_frame():
    store = Store()
    store.journal = journal = RecordingJournal()
    table = store.table("svc.t")
    with store.transaction():
        table.put(1, "one")
        table.put(2, "two")
        table.delete(1)
    assert journal.frames == [[("svc.t", 1, "one"), ("svc.t", 2, "two"), ("svc.t", 1)]]  # a removal has no value
    table.put(3, "three")  # outside a transaction: its own frame
    assert journal.frames[-1] == [("svc.t", 3, "three")]


def test_rollback_restores_every_record_and_writes_nothing():
    store = Store()
    store.journal = journal = RecordingJournal()
    table = store.table("svc.t")
    table.put("keep", 1)
    with pytest.raises(RuntimeError):
        with store.transaction():
            table.put("keep", 2)
            table.put("new", 3)
            table.delete("keep")
            raise RuntimeError
    assert dict(table.items()) == {"keep": 1}
    assert journal.frames == [[("svc.t", "keep", 1)]]


def test_savepoints_roll_back_only_the_inner_part():
    store = Store()
    table = store.table("svc.t")
    outer = store.begin()
    table.put("outer", 1)
    inner = store.begin()
    table.put("inner", 2)
    store.rollback(inner)
    store.commit(outer)
    assert dict(table.items()) == {"outer": 1}
    assert not store.in_transaction


def test_watchers_see_changes_and_their_undo():
    store = Store()
    table = store.table("svc.t")
    seen = []
    table.watch(lambda key, old, new: seen.append((key, old, new)))
    table.put("k", 1)
    savepoint = store.begin()
    table.put("k", 2)
    store.rollback(savepoint)
    assert seen == [("k", None, 1), ("k", 1, 2), ("k", 2, 1)]


def test_export_and_import_records_round_trip():
    store = Store()
    store.ordered_table("svc.o").put(("a", 1), {"v": [1, 2]})
    store.table("svc.h").put("x", b"bytes")
    records = store.export_records()
    other = Store()
    other.import_records(records)
    assert other.ordered_table("svc.o").get(("a", 1)) == {"v": [1, 2]}
    assert other.table("svc.h").get("x") == b"bytes"
    store.clear()
    assert store.tables() == {}


def test_blobs_live_in_files():
    store = Store()
    blob_id, size = store.blobs.write([b"hello ", b"world"])
    assert size == 11 and store.blobs.read(blob_id) == b"hello world"
    assert store.blobs.read(blob_id, 6, 3) == b"wor"
    directory = store.blobs.directory
    store.blobs.close()
    import os
    assert not os.path.exists(directory)


def test_a_nested_transaction_before_any_change_does_not_close_the_outer_one():
    store = Store()
    store.journal = journal = RecordingJournal()
    table = store.table("svc.t")
    outer = store.begin()
    with store.transaction():  # nested, while the outer one has changed nothing yet
        table.put("inner", 1)
    assert store.in_transaction, "the outer transaction is still open"
    table.put("outer", 2)
    store.rollback(outer)
    assert dict(table.items()) == {}
    assert journal.frames == []


def test_rolling_back_a_nested_savepoint_keeps_the_outer_changes():
    store = Store()
    table = store.table("svc.t")
    outer = store.begin()
    table.put("outer", 1)
    inner = store.begin()
    table.put("inner", 2)
    store.rollback(inner)
    assert dict(table.items()) == {"outer": 1} and store.in_transaction
    store.commit(outer)
    assert dict(table.items()) == {"outer": 1} and not store.in_transaction
