"""The command line: ``python -m kumo_intercept {verify,inspect,compact,dump,salvage} DIR``, and
``python -m kumo_intercept aws ...``, the AWS CLI run against an emulator (integrations/aws_cli.py), and
``python -m kumo_intercept serve`` (the emulator as an HTTP server, docs/server.md).

Everything but ``compact`` only reads: a directory in use by a running emulator can be verified,
inspected and dumped (its active segment ends in reserved zeros, reported as such; a frame being
written at that moment shows up as a torn tail).

Exit status: 0 all good; 1 damaged (the directory would be refused) or an error; 2 usage; 3 ``verify``
found only a torn tail of the newest segment (the next open cuts it off and goes on).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from typing import Any, Sequence

from ..core.errors import KumoError
from . import aws_cli

# the data-directory commands import the store's files as they run: ``serve`` has no use for them,
# and its start is measured to its first answer (docs/server.md)

EXIT_OK, EXIT_DAMAGED, EXIT_TORN = 0, 1, 3

DESCRIPTION = """\
Work with a kumo_intercept data directory (kumo(data_dir=...)) or an exported seed (aws.export()).

  verify DIR            check every frame, checksum, sequence number and referenced blob
  inspect DIR           resources per service, record counts and sizes, files, last sequence
  compact DIR           rewrite the state as one snapshot and drop what it replaces (takes the lock)
  dump DIR              every record as JSON (--service sqs, --table sqs.queues)
  salvage DIR OUT       copy the valid prefix of a damaged directory into a new seed directory OUT
  serve                 serve an emulator over HTTP at http://127.0.0.1:4566 (see docs/server.md)

  aws [--data-dir DIR] [--seed N] [--account-id ID] ARGS...
                        run the AWS CLI (v1) in-process against an emulator; with --data-dir the state
                        is kept in DIR between invocations (docs/cli.md)
"""

EPILOG = """\
exit status: 0 ok; 1 damaged or error; 2 usage; 3 (verify) only a torn tail, which the next open cuts off.
See docs/persistence.md for the file format and the promises."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kumo_intercept", description=DESCRIPTION, epilog=EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    p = sub.add_parser("verify", help="check every frame; the exit status says whether the directory is sound")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--blobs", action="store_true", help="also re-hash every referenced blob file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = sub.add_parser("inspect", help="resources per service, counts, sizes, last sequence")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p = sub.add_parser("compact", help="compact the directory now (fails if an emulator holds it)")
    p.add_argument("dir", metavar="DIR")
    p = sub.add_parser("dump", help="every record as JSON")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--service", metavar="S", help="only the tables of this service (e.g. sqs, s3)")
    p.add_argument("--table", metavar="T", help="only this table (e.g. sqs.queues)")
    p = sub.add_parser("salvage", help="copy the valid prefix of a damaged directory into OUT")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("out", metavar="OUT", help="a new directory (must not exist); open it with kumo(data_dir=OUT) "
                                              "or kumo(from_snapshot=OUT)")
    p = sub.add_parser("serve", help="serve an emulator over HTTP (docs/server.md)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 in a container)")
    p.add_argument("--port", type=int, default=4566, help="port (default 4566; 0 picks a free one)")
    p.add_argument("--data-dir", metavar="DIR", help="keep the state in DIR (journal flushed on shutdown)")
    p.add_argument("--seed", default="0", help="seed of generated identifiers (default 0)")
    p.add_argument("--clock", choices=("wall", "virtual"), default="wall",
                   help="virtual: time moves only by POST /_kumo/clock/advance")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--account-id", default="123456789012")
    p.add_argument("--verbose", action="store_true", help="log every request")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "aws":  # everything after it is the CLI's: argparse must not read it
        return aws_cli.main(argv[1:])
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if not os.path.isdir(args.dir):
        print(f"error: {args.dir} is not a directory", file=sys.stderr)
        return EXIT_DAMAGED
    try:
        return {"verify": verify, "inspect": inspect, "compact": compact, "dump": dump,
                "salvage": salvage_command}[args.command](args)
    except KumoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DAMAGED


# -- commands ---------------------------------------------------------------------------------------
def serve(args: argparse.Namespace) -> int:
    from ..wire.server import run

    seed: int | str = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    return run(args.host, args.port, verbose=args.verbose, data_dir=args.data_dir, seed=seed, clock=args.clock,
               region=args.region, account_id=args.account_id)


def verify(args: argparse.Namespace) -> int:
    from ..store.codec import CHECKPOINT
    from ..store.errors import CorruptionError
    from ..store.persistence import BLOBS, ZERO_TAIL, read_snapshot, recover
    from ..store.schema import service_catalog

    report: dict[str, Any] = {"dir": os.path.abspath(args.dir), "problems": [], "torn": None}
    try:
        rec = recover(args.dir, with_refs=True)
    except CorruptionError as exc:
        report["problems"].append({"file": exc.path, "offset": exc.offset, "reason": exc.reason})
        return _finish(report, args, EXIT_DAMAGED)
    report.update(frames=rec.frames, last_seq=rec.state.seq, files=rec.files,
                  records=sum(len(t) for t in rec.state.records.values()))
    if rec.torn is not None:
        segment, offset, reason = rec.torn
        if reason == ZERO_TAIL:  # a segment in use, or the reserve a crash left: nothing is lost
            report["reserved"] = {"file": segment, "offset": offset, "bytes": rec.files[segment] - offset}
        else:
            report["torn"] = {"file": segment, "offset": offset, "reason": reason}
    refs = set(rec.blob_refs)
    for name, file in sorted(rec.manifest["checkpoints"].items()):
        path = os.path.join(args.dir, file)
        try:
            checkpoint, _header, frames = read_snapshot(path, CHECKPOINT)
            report["frames"] += frames
            refs |= service_catalog().refs_of(checkpoint.records)
        except CorruptionError as exc:
            report["problems"].append({"file": exc.path, "offset": exc.offset, "reason": exc.reason,
                                       "checkpoint": name})
    blobs = os.path.join(args.dir, BLOBS)
    present = set(os.listdir(blobs)) if os.path.isdir(blobs) else set()
    for blob in sorted(refs & service_catalog().refs_of(rec.state.records) if refs else ()):
        if blob not in present:
            report["problems"].append({"file": os.path.join(blobs, blob), "offset": None,
                                       "reason": "referenced blob is missing"})
        elif args.blobs and _sha256(os.path.join(blobs, blob)) != blob:
            report["problems"].append({"file": os.path.join(blobs, blob), "offset": None,
                                       "reason": "blob content does not match its id (sha256)"})
    report["blobs_checked"] = len(refs)
    status = EXIT_DAMAGED if report["problems"] else EXIT_TORN if report["torn"] else EXIT_OK
    return _finish(report, args, status)


def _finish(report: dict, args: argparse.Namespace, status: int) -> int:
    report["status"] = {EXIT_OK: "ok", EXIT_DAMAGED: "damaged", EXIT_TORN: "torn tail"}[status]
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return status
    print(f"{report['dir']}: {report['status']}")
    if "frames" in report:
        print(f"  {report['frames']} frames checked, last sequence {report['last_seq']}, "
              f"{report['records']} records, {report.get('blobs_checked', 0)} blob references")
    if report.get("reserved"):
        reserved = report["reserved"]
        print(f"  {reserved['file']}: {reserved['bytes']} zero bytes reserved after its last frame (at offset "
              f"{reserved['offset']}); in use, or left by a crash: the next open trims them")
    if report["torn"]:
        torn = report["torn"]
        print(f"  torn tail: {torn['file']} at offset {torn['offset']} ({torn['reason']}); the next open "
              "cuts it off and keeps it as *.corrupt")
    for problem in report["problems"]:
        where = problem["file"] + ("" if problem["offset"] is None else f" at offset {problem['offset']}")
        print(f"  DAMAGED: {where}: {problem['reason']}")
    if status == EXIT_DAMAGED:
        print("  `python -m kumo_intercept salvage DIR OUT` copies the valid prefix into a new directory")
    return status


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def inspect(args: argparse.Namespace) -> int:
    from ..store.codec import FORMAT_VERSION, pack
    from ..store.persistence import BLOBS, ZERO_TAIL, recover

    rec = recover(args.dir)
    manifest = rec.manifest
    services: dict[str, dict[str, Any]] = {}
    for name, data in sorted(rec.state.records.items()):
        if not data:
            continue
        service = name.split(".", 1)[0]
        size = len(pack(list(data.items())))
        entry = services.setdefault(service, {"tables": {}, "records": 0, "bytes": 0})
        entry["tables"][name] = {"records": len(data), "bytes": size}
        entry["records"] += len(data)
        entry["bytes"] += size
    for service, summary in _summaries(args.dir).items():
        services.setdefault(service, {"tables": {}, "records": 0, "bytes": 0})["resources"] = summary
    blobs = os.path.join(args.dir, BLOBS)
    blob_files = [n for n in os.listdir(blobs) if not n.startswith(".")] if os.path.isdir(blobs) else []
    report = {
        "dir": os.path.abspath(args.dir), "format": manifest.get("format", FORMAT_VERSION),
        "label": manifest.get("label"), "last_seq": rec.state.seq, "frames": rec.frames,
        "closed_cleanly": rec.state.clean, "snapshot": manifest["snapshot"], "segments": manifest["segments"],
        "checkpoints": manifest["checkpoints"], "files": rec.files,
        "blobs": {"count": len(blob_files), "bytes": sum(os.path.getsize(os.path.join(blobs, n)) for n in blob_files)},
        "torn": rec.torn, "services": services,
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return EXIT_OK
    print(f"{report['dir']}  (format {report['format']}" + (f", label {report['label']!r}" if report["label"] else "")
          + ")")
    print(f"  last sequence {report['last_seq']}, {report['frames']} frames, "
          f"{'closed cleanly' if rec.state.clean else 'not closed cleanly (crash or still open)'}")
    total = sum(rec.files.values())
    print(f"  files: {len(rec.files)} ({_size(total)}): " + ", ".join(f"{n} {_size(s)}" for n, s in rec.files.items()))
    print(f"  blobs: {report['blobs']['count']} ({_size(report['blobs']['bytes'])})")
    if manifest["checkpoints"]:
        print(f"  named snapshots: {', '.join(sorted(manifest['checkpoints']))}")
    if rec.torn:
        kind = "reserved space" if rec.torn[2] == ZERO_TAIL else "torn tail"
        print(f"  {kind}: {rec.torn[0]} at offset {rec.torn[1]} ({rec.torn[2]})")
    for service, entry in services.items():
        print(f"  {service}: {entry['records']} records, {_size(entry['bytes'])}")
        for table, info in entry["tables"].items():
            print(f"    {table}: {info['records']} records, {_size(info['bytes'])}")
        for kind, rows in (entry.get("resources") or {}).items():
            names = [str(r.get("name", "?")) for r in rows] if isinstance(rows, list) else []
            shown = ", ".join(names[:8]) + (f", … ({len(names)})" if len(names) > 8 else "")
            print(f"    {kind}: {shown}")
    return EXIT_OK


def _summaries(path: str) -> dict[str, Any]:
    """Each service's own summary of its resources, from an in-memory emulator seeded with the directory."""
    from ..emulator import Emulator
    from ..inspection import State as InspectionState

    emulator = Emulator(from_snapshot=path, data_dir=None)
    try:
        emulator.persistence.open_seed_only()
        return InspectionState(emulator).summary()
    except Exception:  # a summary is a convenience: counts and sizes above are the report
        return {}
    finally:
        emulator.store.blobs.close()


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def compact(args: argparse.Namespace) -> int:
    from ..store.persistence import DataDir, State

    before = _dir_size(args.dir)
    directory = DataDir(args.dir, auto_compact=False)
    rec = directory.recover()
    state = rec.state
    try:
        directory.start(state=state, capture=lambda: State(state.records, state.seq, state.ids, state.clock),
                        ids=lambda: state.ids, clock=lambda: state.clock)
        result = directory.compact()
    finally:
        directory.close()
    print(f"{os.path.abspath(args.dir)}: compacted {result['records']} records into {result['snapshot']}; "
          f"{_size(before)} -> {_size(_dir_size(args.dir))}")
    return EXIT_OK


def _dir_size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def dump(args: argparse.Namespace) -> int:
    from ..store.persistence import recover

    from ..inspection import to_json

    rec = recover(args.dir)
    tables = {}
    for name, data in sorted(rec.state.records.items()):
        if not data or (args.table and name != args.table):
            continue
        if args.service and name.split(".", 1)[0] != args.service:
            continue
        tables[name] = [[key, value] for key, value in data.items()]
    print(to_json({"dir": os.path.abspath(args.dir), "last_seq": rec.state.seq, "tables": tables}))
    return EXIT_OK


def salvage_command(args: argparse.Namespace) -> int:
    from ..store.persistence import salvage

    report = salvage(args.dir, args.out)
    print(f"salvaged {report['records']} records up to sequence {report['seq']} into {report['out']}")
    if report["rebuilt"]:
        print(f"  the MANIFEST was unreadable ({report['rebuilt']}); the files were ordered by their own headers")
    for dropped in report["dropped"]:
        print(f"  dropped from here on: {dropped}")
    if report["base"]:
        print(f"  starting from {report['base']}")
    if report["missing_blobs"]:
        print(f"  {len(report['missing_blobs'])} referenced blob(s) were missing")
    return EXIT_OK


