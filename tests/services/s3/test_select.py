"""S3 Select (SelectObjectContent) through boto3: SQL over CSV and JSON objects, read from the event stream
botocore parses.

Fact sources, named per test: the S3 API reference pages "SelectObjectContent" and "Appendix:
SelectObjectContent Response" (event order and payloads); the S3 user guide's "SQL reference for Amazon
S3 Select" pages (SELECT command, operators, aggregate/conditional/conversion/string functions); the
S3 error-responses page "List of SELECT Object Content Error Codes" (codes and statuses); and moto's
tests marked ``aws_verified`` in tests/test_s3/test_s3_select.py (exact payloads and Stats byte counts
recorded against AWS).
"""

from __future__ import annotations

import asyncio
import bz2
import gzip
import json

import boto3
import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ClientError, EventStreamError

from kumo_intercept import kumo

PEOPLE = "name,age,city\nAlice,30,Paris\nBob,25,\"Berlin, DE\"\nCarol,41,Rome\n"
ORDERS = "\n".join(json.dumps(o) for o in [
    {"id": 1, "customer": {"name": "ann", "tier": "gold"}, "items": [{"sku": "a", "qty": 2}], "total": 12.5},
    {"id": 2, "customer": {"name": "ben", "tier": "basic"}, "items": [{"sku": "b", "qty": 1}], "total": 3},
    {"id": 3, "customer": {"name": "cy"}, "items": [], "total": None},
]) + "\n"


@pytest.fixture
def people(s3, bucket):
    s3.put_object(Bucket=bucket, Key="people.csv", Body=PEOPLE)
    return "people.csv"


@pytest.fixture
def orders(s3, bucket):
    s3.put_object(Bucket=bucket, Key="orders.jsonl", Body=ORDERS)
    return "orders.jsonl"


CSV_USE = {"CSV": {"FileHeaderInfo": "USE"}}
LINES = {"JSON": {"Type": "LINES"}}


def select(s3, key, expression, input_serialization, output=None, **extra):
    response = s3.select_object_content(
        Bucket="test-bucket", Key=key, Expression=expression, ExpressionType="SQL",
        InputSerialization=input_serialization, OutputSerialization=output or {"JSON": {}}, **extra)
    return list(response["Payload"])


def records(events) -> bytes:
    return b"".join(event["Records"]["Payload"] for event in events if "Records" in event)


def rows(events) -> list:
    return [json.loads(line) for line in records(events).decode().splitlines()]


def error_code(call) -> str:
    with pytest.raises(ClientError) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return caught.value.response["Error"]["Code"]


# -- the event stream ---------------------------------------------------------------------------------
def test_select_all_json_document_events_and_stats(s3, bucket):
    """moto test_query_all / test_count_function (aws_verified): the payload with the chosen record
    delimiter, then Stats with the object's bytes scanned/processed and the bytes returned, then End."""
    s3.put_object(Bucket=bucket, Key="simple.json", Body=json.dumps({"a1": "b1", "a2": "b2", "a3": None}))
    events = select(s3, "simple.json", "SELECT * FROM S3Object", {"JSON": {"Type": "DOCUMENT"}},
                    {"JSON": {"RecordDelimiter": ","}})
    assert events == [{"Records": {"Payload": b'{"a1":"b1","a2":"b2","a3":null},'}},
                      {"Stats": {"Details": {"BytesScanned": 36, "BytesProcessed": 36, "BytesReturned": 32}}},
                      {"End": {}}]
    counted = select(s3, "simple.json", "SELECT count(*) FROM S3Object", {"JSON": {"Type": "DOCUMENT"}},
                     {"JSON": {"RecordDelimiter": ","}})
    assert counted[0] == {"Records": {"Payload": b'{"_1":1},'}}
    assert counted[1]["Stats"]["Details"]["BytesReturned"] == 9


def test_request_progress_adds_a_progress_event(s3, people):
    """SelectObjectContent API reference (RequestProgress: Progress events carry BytesScanned,
    BytesProcessed, BytesReturned)."""
    events = select(s3, people, "SELECT s.name FROM S3Object s", CSV_USE, RequestProgress={"Enabled": True})
    assert [next(iter(event)) for event in events] == ["Records", "Progress", "Stats", "End"]
    assert events[1]["Progress"]["Details"] == events[2]["Stats"]["Details"]


# -- CSV input ----------------------------------------------------------------------------------------
def test_csv_columns_by_header_position_and_alias(s3, people):
    """SQL reference, SELECT command: columns by header name (FileHeaderInfo USE), by position _N, and
    aliases; a quoted field keeps its delimiter."""
    events = select(s3, people, "SELECT s.name, s._3 AS town FROM S3Object s", CSV_USE)
    assert rows(events) == [{"name": "Alice", "town": "Paris"}, {"name": "Bob", "town": "Berlin, DE"},
                            {"name": "Carol", "town": "Rome"}]


def test_csv_header_ignore_and_none(s3, people):
    """SelectObjectContent API reference, CSVInput.FileHeaderInfo: IGNORE skips the first line,
    NONE treats it as a record; moto test_count_csv (aws_verified) counts 3 with USE."""
    assert rows(select(s3, people, "SELECT count(*) FROM S3Object", {"CSV": {"FileHeaderInfo": "IGNORE"}})) \
        == [{"_1": 3}]
    assert rows(select(s3, people, "SELECT count(*) FROM S3Object", {"CSV": {}})) == [{"_1": 4}]
    assert rows(select(s3, people, "SELECT s._1 FROM S3Object s LIMIT 1", {"CSV": {"FileHeaderInfo": "IGNORE"}})) \
        == [{"_1": "Alice"}]


def test_where_operators(s3, people):
    """SQL reference, Operators: comparison, logical, LIKE, BETWEEN, IN, IS NULL, arithmetic; CSV
    fields compared with numbers after CAST."""
    def names(where):
        return [row["name"] for row in rows(select(s3, people, f"SELECT s.name FROM S3Object s WHERE {where}",
                                                   CSV_USE))]

    assert names("CAST(s.age AS INT) > 26 AND NOT s.name = 'Carol'") == ["Alice"]
    assert names("s.name LIKE '_o%' OR s.city LIKE '%, DE'") == ["Bob"]
    assert names("CAST(s.age AS INT) BETWEEN 25 AND 30") == ["Alice", "Bob"]
    assert names("s.city NOT IN ('Paris', 'Rome')") == ["Bob"]
    assert names("CAST(s.age AS INT) * 2 - 10 = 50") == ["Alice"]
    assert names("s.missing IS NULL") == ["Alice", "Bob", "Carol"]


def test_functions_and_casts(s3, people):
    """SQL reference: string functions (LOWER, UPPER, TRIM, SUBSTRING, CHAR_LENGTH), conditional
    functions (COALESCE, NULLIF) and CAST."""
    expression = ("SELECT LOWER(s.name) AS l, UPPER(s.city) AS u, SUBSTRING(s.name FROM 2 FOR 2) AS sub, "
                  "CHAR_LENGTH(s.name) AS n, TRIM(BOTH 'A' FROM s.name) AS t, COALESCE(s.nothing, 'x') AS c, "
                  "NULLIF(s.age, '30') AS z, CAST(s.age AS FLOAT) / 4 AS q FROM S3Object s LIMIT 1")
    assert rows(select(s3, people, expression, CSV_USE)) == [
        {"l": "alice", "u": "PARIS", "sub": "li", "n": 5, "t": "lice", "c": "x", "z": None, "q": 7.5}]


def test_aggregates(s3, people):
    """SQL reference, Aggregate functions: COUNT, SUM, AVG, MIN, MAX over the rows WHERE selects."""
    expression = ("SELECT COUNT(*), SUM(CAST(s.age AS INT)), AVG(CAST(s.age AS INT)), MIN(s.name), "
                  "MAX(CAST(s.age AS INT)) AS oldest FROM S3Object s WHERE s.name <> 'Bob'")
    assert rows(select(s3, people, expression, CSV_USE)) == [{"_1": 2, "_2": 71, "_3": 35.5, "_4": "Alice",
                                                              "oldest": 41}]


def test_csv_output_quotes_as_needed_or_always(s3, people):
    """SelectObjectContent API reference, CSVOutput: QuoteFields ASNEEDED (default) quotes a field
    holding the delimiter; ALWAYS quotes every field; RecordDelimiter/FieldDelimiter as given."""
    query = "SELECT s.name, s.city FROM S3Object s WHERE s.name = 'Bob'"
    assert records(select(s3, people, query, CSV_USE, {"CSV": {}})) == b'Bob,"Berlin, DE"\n'
    assert records(select(s3, people, query, CSV_USE, {"CSV": {"QuoteFields": "ALWAYS", "FieldDelimiter": ";",
                                                               "RecordDelimiter": "|"}})) \
        == b'"Bob";"Berlin, DE"|'


def test_custom_delimiters_and_quoted_record_delimiter(s3, bucket):
    """SelectObjectContent API reference, CSVInput: FieldDelimiter/RecordDelimiter/QuoteCharacter;
    a quoted record delimiter needs AllowQuotedRecordDelimiter (else CSVEscapingRecordDelimiter, error
    codes list)."""
    s3.put_object(Bucket=bucket, Key="odd.csv", Body="k|v;'one;two'|1;x|2;")
    spec = {"FieldDelimiter": "|", "RecordDelimiter": ";", "QuoteCharacter": "'"}
    allowed = select(s3, "odd.csv", "SELECT * FROM S3Object", {"CSV": {**spec, "AllowQuotedRecordDelimiter": True,
                                                                       "FileHeaderInfo": "USE"}})
    assert rows(allowed) == [{"k": "one;two", "v": "1"}, {"k": "x", "v": "2"}]
    with pytest.raises(EventStreamError) as caught:
        select(s3, "odd.csv", "SELECT * FROM S3Object", {"CSV": spec})
    assert caught.value.response["Error"]["Code"] == "CSVEscapingRecordDelimiter"


def test_compressed_input(s3, bucket):
    """moto test_gzipped_json / test_bzipped_csv_to_csv (aws_verified): GZIP and BZIP2 objects; the
    CSV default FileHeaderInfo (NONE) counts the header line too."""
    body = "a,b,c\ne,r,f\ny,u,i\nq,w,y"
    s3.put_object(Bucket=bucket, Key="c.gz", Body=gzip.compress(body.encode()))
    s3.put_object(Bucket=bucket, Key="c.bz2", Body=bz2.compress(body.encode()))
    gz = select(s3, "c.gz", "SELECT count(*) FROM S3Object", {"CSV": {}, "CompressionType": "GZIP"}, {"CSV": {}})
    assert records(gz) == b"4\n"
    mirrored = select(s3, "c.bz2", "SELECT * FROM S3Object", {"CSV": {}, "CompressionType": "BZIP2"},
                      {"CSV": {"FieldDelimiter": ":"}})
    assert records(mirrored) == b"a:b:c\ne:r:f\ny:u:i\nq:w:y\n"


def test_scan_range_reads_records_that_start_inside_it(s3, people):
    """SelectObjectContent API reference, ScanRange: records that begin within the range are processed
    whole; Start alone runs to the end of the object."""
    bob_starts = PEOPLE.index("Bob")
    events = select(s3, people, "SELECT s._1 FROM S3Object s", {"CSV": {}}, ScanRange={"Start": bob_starts - 2,
                                                                                        "End": bob_starts + 3})
    assert rows(events) == [{"_1": "Bob"}]
    assert rows(select(s3, people, "SELECT s._1 FROM S3Object s", {"CSV": {}}, ScanRange={"Start": bob_starts})) \
        == [{"_1": "Bob"}, {"_1": "Carol"}]


# -- JSON input ---------------------------------------------------------------------------------------
def test_json_lines_nested_paths_and_indexes(s3, orders):
    """SQL reference, SELECT command (JSON): nested attributes s.a.b, array indexes, LIMIT; a
    missing attribute is left out of the JSON record."""
    events = select(s3, orders, "SELECT s.id, s.customer.tier, s.items[0].sku FROM S3Object s LIMIT 3", LINES)
    assert rows(events) == [{"id": 1, "tier": "gold", "sku": "a"}, {"id": 2, "tier": "basic", "sku": "b"},
                            {"id": 3}]


def test_json_from_path_with_wildcard(s3, bucket):
    """moto test_long_json__select_subdocument / test_extensive_json__select_list (aws_verified):
    FROM S3Object[*].path selects each record's sub-document; a path the record lacks yields {}."""
    long_json = "".join(json.dumps({"a": {f"b{i}": "s"}, "c": f"d{i}"}) for i in range(5))
    s3.put_object(Bucket=bucket, Key="long.json", Body=long_json)
    events = select(s3, "long.json", "select * from s3object[*].a", {"JSON": {"Type": "DOCUMENT"}},
                    {"JSON": {"RecordDelimiter": ","}})
    assert records(events) == b'{"b0":"s"},{"b1":"s"},{"b2":"s"},{"b3":"s"},{"b4":"s"},'
    assert events[1]["Stats"]["Details"] == {"BytesScanned": 145, "BytesProcessed": 145, "BytesReturned": 55}
    s3.put_object(Bucket=bucket, Key="list.json", Body=json.dumps([{"staff": [{"name": "x"}]}]))
    assert records(select(s3, "list.json", "select * from s3object[*].staff[*] s", {"JSON": {"Type": "DOCUMENT"}},
                          {"JSON": {"RecordDelimiter": ","}})) == b"{},"


def test_json_where_on_nested_values_and_null(s3, orders):
    """SQL reference, Operators and IS NULL on JSON: numbers compare as numbers, null is NULL."""
    assert rows(select(s3, orders, "SELECT s.id FROM S3Object s WHERE s.total > 5 OR s.total IS NULL", LINES)) \
        == [{"id": 1}, {"id": 3}]
    assert rows(select(s3, orders, "SELECT SUM(s.total) AS t, COUNT(s.total) AS n FROM S3Object s", LINES)) \
        == [{"t": 15.5, "n": 2}]


# -- errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, code", [
    ("SELECT FROM S3Object", "ParseEmptySelect"),
    ("SELECT s.name", "ParseSelectMissingFrom"),
    ("SELECT *, s.name FROM S3Object s", "ParseAsteriskIsNotAloneInSelectList"),
    ("SELECT s.name FROM S3Object s WHERE", "ParseExpectedExpression"),
    ("SELECT s.name FROM S3Object s ORDER BY s.name", "ParseUnsupportedSyntax"),
    ("SELECT s.name FROM S3Object s trailing junk", "ParseUnexpectedToken"),
    ("SELECT SHA(s.name) FROM S3Object s", "UnsupportedFunction"),
    ("SELECT SUM(*) FROM S3Object", "ParseUnsupportedCallWithStar"),
    ("SELECT LOWER(s.name, 'x') FROM S3Object s", "EvaluatorInvalidArguments"),
    ("SELECT SUBSTRING(s.name) FROM S3Object s", "EvaluatorInvalidArguments"),
    ("SELECT s._0 FROM S3Object s", "InvalidColumnIndex"),
    ("SELECT s.name FROM S3Object s LIMIT -1", "EvaluatorNegativeLimit"),
    ("SELECT s.name # FROM S3Object s", "LexerInvalidChar"),
    ("SELECT s.name FROM Elsewhere s", "InvalidTableAlias"),
])
def test_sql_errors(s3, people, expression, code):
    """List of SELECT Object Content Error Codes: each refusal's code, HTTP 400, before any event."""
    assert error_code(lambda: select(s3, people, expression, CSV_USE)) == code


def test_hostile_expressions_are_bounded(s3, people):
    """List of SELECT Object Content Error Codes: ExpressionTooLong past 256 KB; MaxOperatorsExceeded
    for expressions too complex to parse (deep nesting, very many operators)."""
    too_long = "SELECT s.name FROM S3Object s WHERE s.name = '" + "x" * (256 * 1024) + "'"
    assert error_code(lambda: select(s3, people, too_long, CSV_USE)) == "ExpressionTooLong"
    nested = "SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM S3Object"
    assert error_code(lambda: select(s3, people, nested, CSV_USE)) == "MaxOperatorsExceeded"
    negations = "SELECT s.name FROM S3Object s WHERE " + "NOT " * 5000 + "true"
    assert error_code(lambda: select(s3, people, negations, CSV_USE)) == "MaxOperatorsExceeded"
    sums = "SELECT " + "+".join(["1"] * 20000) + " FROM S3Object"
    assert error_code(lambda: select(s3, people, sums, CSV_USE)) == "MaxOperatorsExceeded"


def test_request_errors(s3, bucket, people):
    """moto test_select_unknown_key (aws_verified) for NoSuchKey; error codes list for
    ObjectSerializationConflict, InvalidFileHeaderInfo, InvalidJsonType, UnsupportedScanRangeInput,
    TruncatedInput (a body that is not the compression named)."""
    with pytest.raises(s3.exceptions.NoSuchKey):
        select(s3, "unknown", "SELECT * FROM S3Object", {"CSV": {}})
    assert error_code(lambda: select(s3, people, "SELECT * FROM S3Object", {"CSV": {}, "JSON": {}})) \
        == "ObjectSerializationConflict"
    assert error_code(lambda: select(s3, people, "SELECT * FROM S3Object", {"CSV": {"FileHeaderInfo": "X"}})) \
        == "InvalidFileHeaderInfo"
    assert error_code(lambda: select(s3, people, "SELECT * FROM S3Object", {"JSON": {"Type": "X"}})) \
        == "InvalidJsonType"
    assert error_code(lambda: select(s3, people, "SELECT * FROM S3Object", {"JSON": {"Type": "DOCUMENT"}},
                                     ScanRange={"Start": 1})) == "UnsupportedScanRangeInput"
    assert error_code(lambda: select(s3, people, "SELECT * FROM S3Object", {"CSV": {}, "CompressionType": "GZIP"})) \
        == "TruncatedInput"


def test_data_errors_arrive_in_the_stream(s3, bucket, people):
    """Appendix: SelectObjectContent Response (an error met while processing is an error message in the
    stream, after the records before it): CastFailed, IntegerOverflow, JSONParsingError."""
    with pytest.raises(EventStreamError) as caught:
        select(s3, people, "SELECT CAST(s.name AS INT) FROM S3Object s", CSV_USE)
    assert caught.value.response["Error"]["Code"] == "CastFailed"
    with pytest.raises(EventStreamError) as overflow:
        select(s3, people, "SELECT 9223372036854775807 + CAST(s.age AS INT) FROM S3Object s", CSV_USE)
    assert overflow.value.response["Error"]["Code"] == "IntegerOverflow"
    s3.put_object(Bucket=bucket, Key="bad.json", Body=b'{"a": 1}\n{oops\n')
    stream = s3.select_object_content(Bucket=bucket, Key="bad.json", Expression="SELECT * FROM S3Object",
                                      ExpressionType="SQL", InputSerialization=LINES,
                                      OutputSerialization={"JSON": {}})["Payload"]
    events = iter(stream)
    assert next(events) == {"Records": {"Payload": b'{"a":1}\n'}}  # the record read before the bad line
    with pytest.raises(EventStreamError) as bad_json:
        next(events)
    assert bad_json.value.response["Error"]["Code"] == "JSONParsingError"


# -- over HTTP ----------------------------------------------------------------------------------------
@pytest.mark.allow_network
def test_select_over_the_http_server():
    """Appendix: SelectObjectContent Response: the same events in AWS's binary encoding over HTTP,
    decoded by botocore's own EventStream."""
    with kumo(clock="virtual", strict=True) as aws:
        aws.serve()
        s3 = boto3.client("s3", endpoint_url=aws.endpoint_url, region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")
        s3.create_bucket(Bucket="served")
        s3.put_object(Bucket="served", Key="p.csv", Body=PEOPLE)
        events = list(s3.select_object_content(
            Bucket="served", Key="p.csv", Expression="SELECT s.name FROM S3Object s WHERE s.city = 'Rome'",
            ExpressionType="SQL", InputSerialization=CSV_USE, OutputSerialization={"CSV": {}})["Payload"])
        assert events[0] == {"Records": {"Payload": b"Carol\n"}}
        assert [next(iter(event)) for event in events] == ["Records", "Stats", "End"]
        with pytest.raises(ClientError) as caught:
            s3.select_object_content(Bucket="served", Key="p.csv", Expression="SELECT FROM S3Object",
                                     ExpressionType="SQL", InputSerialization=CSV_USE,
                                     OutputSerialization={"CSV": {}})
        assert caught.value.response["Error"]["Code"] == "ParseEmptySelect"


def test_select_with_an_aiobotocore_client():
    """Appendix: SelectObjectContent Response: an async client reads the same events (aiobotocore's
    AioEventStream over the same messages)."""
    async def run() -> list:
        async with get_session().create_client("s3", region_name="us-east-1") as s3:
            await s3.create_bucket(Bucket="async-select")
            await s3.put_object(Bucket="async-select", Key="p.csv", Body=PEOPLE.encode())
            answer = await s3.select_object_content(
                Bucket="async-select", Key="p.csv", Expression="SELECT COUNT(*) FROM S3Object", ExpressionType="SQL",
                InputSerialization=CSV_USE, OutputSerialization={"CSV": {}})
            return [event async for event in answer["Payload"]]

    with kumo(strict=True):
        events = asyncio.run(run())
    assert events[0] == {"Records": {"Payload": b"3\n"}}
    assert [next(iter(event)) for event in events] == ["Records", "Stats", "End"]
