"""PartiQL: ExecuteStatement, BatchExecuteStatement and ExecuteTransaction."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.fixture
def filled(ddb, table):
    for pk in ("a", "b"):
        for sk in ("1", "2", "3"):
            ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": sk}, "tags": {"SS": ["x"]}})
    return table


def test_select_query_scan_and_projection(ddb, filled):
    got = ddb.execute_statement(Statement=f'SELECT * FROM "{filled}" WHERE pk = ? AND n >= 2',
                                Parameters=[{"S": "a"}])
    assert [i["sk"]["S"] for i in got["Items"]] == ["2", "3"]
    got = ddb.execute_statement(Statement=f"SELECT sk, n FROM {filled} WHERE n = 1 OR sk = '3'")
    assert all(set(i) == {"sk", "n"} for i in got["Items"])
    assert len(got["Items"]) == 4
    got = ddb.execute_statement(Statement=f'SELECT * FROM "{filled}" WHERE pk IN [\'a\', \'b\'] AND sk BETWEEN \'2\' AND \'2\'')
    assert len(got["Items"]) == 2
    got = ddb.execute_statement(Statement=f'SELECT * FROM "{filled}" WHERE missing_attr IS MISSING AND contains(tags, \'x\')')
    assert len(got["Items"]) == 6


def test_select_pages_with_next_token(ddb, filled):
    items, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = ddb.execute_statement(Statement=f'SELECT * FROM "{filled}"', Limit=4, **kwargs)
        items += page["Items"]
        token = page.get("NextToken")
        if not token:
            break
    assert len(items) == 6


def test_insert_update_delete(ddb, table):
    ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'k', 'sk': 's', 'n': 1, 'l': [1, 'two'], "
                                    f"'m': {{'x': TRUE}}, 'ss': <<'a', 'b'>>}}")
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"S": "s"}})["Item"]
    assert item["l"] == {"L": [{"N": "1"}, {"S": "two"}]} and item["m"] == {"M": {"x": {"BOOL": True}}}
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'k', 'sk': 's'}}")
    assert error(exc) == ("DuplicateItemException", "Duplicate primary key exists in table")
    got = ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = n + 5 SET m.y = 'why' REMOVE l "
                                          f"WHERE pk = 'k' AND sk = 's' RETURNING ALL NEW *")
    assert got["Items"][0]["n"] == {"N": "6"} and "l" not in got["Items"][0]
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'k' AND sk = 's' AND n = 100")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.execute_statement(Statement=f"UPDATE \"{table}\" SET n = 0 WHERE pk = 'nope' AND sk = 's'")
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = ? AND sk = ?",
                          Parameters=[{"S": "k"}, {"S": "s"}])
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "k"}, "sk": {"S": "s"}})


def test_statement_errors(ddb, table):
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=f'SELEC * FROM "{table}"')
    assert error(exc)[0] == "ValidationException"
    assert error(exc)[1].startswith("Statement wasn't well formed, can't be processed")
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=f'SELECT * FROM "{table}" WHERE pk = ?')
    assert error(exc) == ("ValidationException", "Number of parameters in request and statement don't match.")
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.execute_statement(Statement='SELECT * FROM "ghost"')


def test_batch_execute_statement(ddb, filled):
    out = ddb.batch_execute_statement(Statements=[
        {"Statement": f"SELECT * FROM \"{filled}\" WHERE pk = 'a' AND sk = '1'"},
        {"Statement": f"INSERT INTO \"{filled}\" VALUE {{'pk': 'a', 'sk': '1'}}"},
        {"Statement": f"INSERT INTO \"{filled}\" VALUE {{'pk': 'c', 'sk': '1'}}"},
    ])["Responses"]
    assert out[0]["Item"]["n"] == {"N": "1"}
    assert out[1]["Error"]["Code"] == "DuplicateItem"
    assert "Error" not in out[2]
    assert ddb.get_item(TableName=filled, Key={"pk": {"S": "c"}, "sk": {"S": "1"}})["Item"]


def test_execute_transaction(ddb, filled):
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as exc:
        ddb.execute_transaction(TransactStatements=[
            {"Statement": f"INSERT INTO \"{filled}\" VALUE {{'pk': 'z', 'sk': '1'}}"},
            {"Statement": f"UPDATE \"{filled}\" SET n = 9 WHERE pk = 'a' AND sk = '1' AND n = 5"},
        ])
    assert [r["Code"] for r in exc.value.response["CancellationReasons"]] == ["None", "ConditionalCheckFailed"]
    assert "Item" not in ddb.get_item(TableName=filled, Key={"pk": {"S": "z"}, "sk": {"S": "1"}})
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"INSERT INTO \"{filled}\" VALUE {{'pk': 'z', 'sk': '1'}}"},
        {"Statement": f"DELETE FROM \"{filled}\" WHERE pk = 'a' AND sk = '1'"},
    ])
    reads = ddb.execute_transaction(TransactStatements=[
        {"Statement": f"SELECT * FROM \"{filled}\" WHERE pk = 'z' AND sk = '1'"},
        {"Statement": f"SELECT * FROM \"{filled}\" WHERE pk = 'a' AND sk = '1'"},
    ])["Responses"]
    assert reads[0]["Item"]["pk"] == {"S": "z"} and reads[1] == {}


@pytest.mark.parametrize("statement, message", [
    ('SELECT * FROM "{t}" WHERE pk = \'a\' foo', "Statement wasn't well formed, can't be processed: Unexpected token "
                                             "after expression"),
    ('INSERT INTO "{t}" x VALUE {{\'pk\': \'a\', \'sk\': \'b\'}}',
     "Statement wasn't well formed, can't be processed: Unexpected token after expression"),
    ('SELECT * FROM "{t}" t WHERE pk = \'x\'', "Aliasing is not supported"),
    ('DELETE FROM "{t}" AS t WHERE pk = \'x\'', "Aliasing is not supported"),
    ('SELECT * FROM "{t}" WHERE n = 1e126', "Number overflow. Attempting to store a number with magnitude larger "
                                            "than supported range under root"),
    ('INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': \'b\', \'m\': {{\'x\': 1e126}}}}',
     "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x"),
    ('INSERT INTO "{t}" VALUE {{\'pk\': \'a\', \'sk\': \'b\', \'l\': [1, 1e-131]}}',
     "Number underflow. Attempting to store a number with magnitude smaller than supported range under root[1]"),
])
def test_statement_messages(ddb, table, statement, message):
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=statement.format(t=table))
    assert error(exc) == ("ValidationException", message)


def test_index_statements(ddb, create):
    create(name="gt", GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                               "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName="gt", Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": "x"}})
    got = ddb.execute_statement(Statement='SELECT * FROM "gt"."gix" WHERE g = \'x\'')
    assert [i["pk"]["S"] for i in got["Items"]] == ["a"]
    for statement, consistent, message in (
            ('SELECT * FROM "gt"."gix"', True, "Strongly consistent read is not supported on Global Secondary Indexes"),
            ('SELECT * FROM "gt"."nope"', True, "The table does not have the specified index")):
        with pytest.raises(ClientError) as exc:
            ddb.execute_statement(Statement=statement, ConsistentRead=consistent)
        assert error(exc) == ("ValidationException", message)


def test_an_unquoted_table_name_cannot_hold_a_hyphen(ddb, create):
    """PartiQL's unquoted identifiers are letters, digits, ``_`` and ``$`` (a ``-`` is the minus operator);
    the developer guide's PartiQL statements double-quote table names. moto's test_dynamodb_statements
    accepts ``FROM T<uuid4>`` unquoted, in tests not run against AWS."""
    create(name="my-table")
    ddb.put_item(TableName="my-table", Item={"pk": {"S": "a"}, "sk": {"S": "1"}})
    assert len(ddb.execute_statement(Statement='SELECT * FROM "my-table"')["Items"]) == 1
    for statement in ("SELECT * FROM my-table", "UPDATE my-table SET n = 1 WHERE pk = 'a' AND sk = '1'"):
        with pytest.raises(ClientError) as exc:
            ddb.execute_statement(Statement=statement)
        assert error(exc)[0] == "ValidationException"
        assert error(exc)[1].startswith("Statement wasn't well formed, can't be processed")


def test_writes_and_transaction_reads_name_the_whole_key(ddb, filled):
    """Developer guide, "PartiQL delete statements": the condition must resolve to a single primary key
    value (moto's test_delete_data__with_sort_key deletes by partition key alone; not AWS-verified);
    transactions are made of such singleton statements."""
    message = "Where clause does not contain a mandatory equality on all key attributes"
    with pytest.raises(ClientError) as exc:
        ddb.execute_statement(Statement=f"DELETE FROM \"{filled}\" WHERE pk = 'a'")
    assert error(exc) == ("ValidationException", message)
    with pytest.raises(ClientError) as exc:
        ddb.execute_transaction(TransactStatements=[{"Statement": f'SELECT * FROM "{filled}"'}])
    assert error(exc) == ("ValidationException", message)
    assert ddb.scan(TableName=filled)["Count"] == 6
