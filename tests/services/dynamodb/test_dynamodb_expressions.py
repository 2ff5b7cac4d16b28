"""The expression language: conditions, document paths, update actions, projections and AWS's errors."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.kumo(strict=True)

KEY = {"pk": {"S": "a"}, "sk": {"S": "1"}}
ITEM = {
    **KEY,
    "n": {"N": "5"}, "s": {"S": "hello"}, "t": {"BOOL": False}, "tags": {"SS": ["red", "blue"]},
    "nums": {"NS": ["1", "2"]}, "lst": {"L": [{"S": "x"}, {"M": {"deep": {"N": "7"}}}]},
    "mp": {"M": {"inr": {"M": {"v": {"S": "z"}}}, "count": {"N": "3"}}}, "b": {"B": b"\x01\x02"},
}


@pytest.fixture
def item(ddb, table):
    ddb.put_item(TableName=table, Item=ITEM)
    return table


def check(ddb, table, expression, values=None, names=None):
    """Whether the stored item satisfies a condition expression."""
    kwargs = {"ConditionExpression": expression}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    try:
        ddb.update_item(TableName=table, Key=KEY, UpdateExpression="SET probe = :probe",
                        ExpressionAttributeValues={**(values or {}), ":probe": {"N": "1"}},
                        **{k: v for k, v in kwargs.items() if k != "ExpressionAttributeValues"})
        return True
    except ddb.exceptions.ConditionalCheckFailedException:
        return False


def error(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["Error"]["Message"]


@pytest.mark.parametrize("expression, values, expected", [
    ("n = :v", {":v": {"N": "5.0"}}, True),
    ("n <> :v", {":v": {"N": "5"}}, False),
    ("absent <> :v", {":v": {"N": "5"}}, True),
    ("absent = :v", {":v": {"N": "5"}}, False),
    ("n < :v", {":v": {"N": "10"}}, True),
    ("n < :v", {":v": {"S": "10"}}, False),
    ("s > :v", {":v": {"S": "hallo"}}, True),
    ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "5"}}, True),
    ("n IN (:a, :b)", {":a": {"N": "4"}, ":b": {"N": "5"}}, True),
    ("NOT n IN (:a, :b)", {":a": {"N": "4"}, ":b": {"N": "5"}}, False),
    ("attribute_exists(mp.inr.v)", None, True),
    ("attribute_exists(lst[1].deep)", None, True),
    ("attribute_not_exists(lst[5])", None, True),
    ("attribute_type(tags, :t)", {":t": {"S": "SS"}}, True),
    ("attribute_type(n, :t)", {":t": {"S": "S"}}, False),
    ("begins_with(s, :p)", {":p": {"S": "he"}}, True),
    ("begins_with(b, :p)", {":p": {"B": b"\x01"}}, True),
    ("contains(s, :p)", {":p": {"S": "ell"}}, True),
    ("contains(tags, :p)", {":p": {"S": "red"}}, True),
    ("contains(nums, :p)", {":p": {"N": "2.0"}}, True),
    ("contains(lst, :p)", {":p": {"S": "x"}}, True),
    ("size(s) = :five", {":five": {"N": "5"}}, True),
    ("size(tags) > :one", {":one": {"N": "1"}}, True),
    ("size(mp) = :two", {":two": {"N": "2"}}, True),
    ("mp.#c = :three", {":three": {"N": "3"}}, True),
    # AND binds tighter than OR; NOT tighter than AND
    ("n = :x OR n = :five AND t = :f", {":x": {"N": "0"}, ":five": {"N": "5"}, ":f": {"BOOL": False}}, True),
    ("(n = :x OR n = :five) AND t = :t", {":x": {"N": "0"}, ":five": {"N": "5"}, ":t": {"BOOL": True}}, False),
    ("NOT n = :x AND n = :five", {":x": {"N": "0"}, ":five": {"N": "5"}}, True),
    ("n = :five or n = :x and n = :x", {":x": {"N": "0"}, ":five": {"N": "5"}}, True),
])
def test_conditions(ddb, item, expression, values, expected):
    names = {"#c": "count"} if "#c" in expression else None
    assert check(ddb, item, expression, values, names) is expected


def update(ddb, table, expression, values=None, names=None, returns="ALL_NEW"):
    kwargs = {}
    if values:
        kwargs["ExpressionAttributeValues"] = values
    if names:
        kwargs["ExpressionAttributeNames"] = names
    return ddb.update_item(TableName=table, Key=KEY, UpdateExpression=expression, ReturnValues=returns,
                           **kwargs).get("Attributes")


def test_set_arithmetic_and_functions(ddb, item):
    got = update(ddb, item, "SET n = n + :two, c = if_not_exists(c, :zero) - :two, lst = list_append(lst, :more)",
                 {":two": {"N": "2"}, ":zero": {"N": "0"}, ":more": {"L": [{"S": "y"}]}})
    assert got["n"] == {"N": "7"}
    assert got["c"] == {"N": "-2"}
    assert got["lst"]["L"][-1] == {"S": "y"}


def test_values_are_computed_from_the_original_item(ddb, item):
    got = update(ddb, item, "SET n = s, s = n")
    assert got["n"] == {"S": "hello"} and got["s"] == {"N": "5"}


def test_nested_set_and_remove(ddb, item):
    got = update(ddb, item, "SET mp.inr.w = :w, lst[1].deep = :w, lst[9] = :w REMOVE mp.#c, t",
                 {":w": {"S": "w"}}, {"#c": "count"})
    assert got["mp"] == {"M": {"inr": {"M": {"v": {"S": "z"}, "w": {"S": "w"}}}}}
    assert got["lst"]["L"][1] == {"M": {"deep": {"S": "w"}}}
    assert got["lst"]["L"][2] == {"S": "w"}
    assert "t" not in got


def test_remove_list_elements_uses_original_indexes(ddb, item, table):
    ddb.put_item(TableName=table, Item={**KEY, "l": {"L": [{"N": str(i)} for i in range(5)]}})
    got = update(ddb, table, "REMOVE l[1], l[3]")
    assert got["l"] == {"L": [{"N": "0"}, {"N": "2"}, {"N": "4"}]}


def test_add_and_delete(ddb, item):
    got = update(ddb, item, "ADD n :one, tags :more, fresh :one DELETE nums :two",
                 {":one": {"N": "1"}, ":more": {"SS": ["green", "red"]}, ":two": {"NS": ["2"]}})
    assert got["n"] == {"N": "6"}
    assert sorted(got["tags"]["SS"]) == ["blue", "green", "red"]
    assert got["fresh"] == {"N": "1"}
    assert got["nums"] == {"NS": ["1"]}
    got = update(ddb, item, "DELETE nums :one", {":one": {"NS": ["1"]}})
    assert "nums" not in got


def test_updated_new_returns_nested_paths(ddb, item):
    got = update(ddb, item, "SET mp.inr.v = :v", {":v": {"S": "new"}}, returns="UPDATED_NEW")
    assert got == {"mp": {"M": {"inr": {"M": {"v": {"S": "new"}}}}}}


def test_projection_expression(ddb, item):
    got = ddb.get_item(TableName=item, Key=KEY, ProjectionExpression="s, mp.inr, lst[1], #n, nothing",
                       ExpressionAttributeNames={"#n": "n"})["Item"]
    assert got == {"s": {"S": "hello"}, "mp": {"M": {"inr": {"M": {"v": {"S": "z"}}}}},
                   "lst": {"L": [{"M": {"deep": {"N": "7"}}}]}, "n": {"N": "5"}}


@pytest.mark.parametrize("kwargs, message", [
    ({"UpdateExpression": "SET a = :v,"}, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: ","'),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}, ":u": {"S": "y"}}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}},
      "ExpressionAttributeNames": {"#a": "a"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}"),
    ({"UpdateExpression": "SET a = :v"},
     "Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :v"),
    ({"UpdateExpression": "SET #a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #a"),
    ({"UpdateExpression": "SET status = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"),
    ({"UpdateExpression": "SET a = :v, a.b = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of "
     "these paths; path one: [a], path two: [a, b]"),
    ({"UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;'),
    ({"UpdateExpression": "ADD a :v", "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
     "operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"),
    ({"UpdateExpression": "SET a = :v + :w", "ExpressionAttributeValues": {":v": {"S": "x"}, ":w": {"N": "1"}}},
     "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, "
     "operand type: S"),
    ({"UpdateExpression": "SET a = nothing + :w", "ExpressionAttributeValues": {":w": {"N": "1"}}},
     "The provided expression refers to an attribute that does not exist in the item"),
    ({"UpdateExpression": "SET s = s + :w", "ExpressionAttributeValues": {":w": {"N": "1"}}},
     "An operand in the update expression has an incorrect data type"),
    ({"UpdateExpression": "SET nothing.deeper = :w", "ExpressionAttributeValues": {":w": {"N": "1"}}},
     "The document path provided in the update expression is invalid for update"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {}},
     "ExpressionAttributeValues must not be empty"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {"v": {"S": "x"}}},
     'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"SS": []}}},
     "One or more parameter values were invalid: An string set  may not be empty"),
    ({"UpdateExpression": "SET a = size(s)"},
     "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "foo(a)",
      "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid ConditionExpression: Invalid function name; function: foo"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "begins_with(a)",
      "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or "
     "function: begins_with, number of operands: 1"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "a BETWEEN :h AND :l",
      "ExpressionAttributeValues": {":v": {"S": "x"}, ":h": {"N": "9"}, ":l": {"N": "1"}}},
     "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to "
     "lower bound; lower bound operand: AttributeValue: {N:9}, upper bound operand: AttributeValue: {N:1}"),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "a = :v AND",
      "ExpressionAttributeValues": {":v": {"S": "x"}}},
     'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "AND"'),
    ({"UpdateExpression": "SET a = :v", "ConditionExpression": "attribute_exists(:v)",
      "ExpressionAttributeValues": {":v": {"S": "x"}}},
     "Invalid ConditionExpression: Operator or function requires a document path; operator or function: "
     "attribute_exists"),
    ({"UpdateExpression": ""}, "Invalid UpdateExpression: The expression can not be empty;"),
    ({"UpdateExpression": "SET numx = numx * :v", "ExpressionAttributeValues": {":v": {"N": "2"}}},
     'Invalid UpdateExpression: Syntax error; token: "*", near: "numx * :v"'),
    ({"UpdateExpression": "ADD numx"}, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "numx"'),
    ({"UpdateExpression": "SET #l[0.#c = :v", "ExpressionAttributeNames": {"#l": "l", "#c": "c"},
      "ExpressionAttributeValues": {":v": {"N": "2"}}},
     'Invalid UpdateExpression: Syntax error; token: ".", near: "0.#c"'),
    ({"UpdateExpression": "SET r = list_append(list_append(l, :t), :t)", "ExpressionAttributeValues": {":t": {"L": []}}},
     "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: "
     "list_append"),
    ({"UpdateExpression": "SET r = contains(s, :t)", "ExpressionAttributeValues": {":t": {"S": "x"}}},
     "Invalid UpdateExpression: The function is not allowed in an update expression; function: contains"),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "if_not_exists(s, :t) = :t",
      "ExpressionAttributeValues": {":t": {"S": "x"}}},
     "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "((s = :t))", "ExpressionAttributeValues": {":t": {"S": "x"}}},
     "Invalid ConditionExpression: The expression has redundant parentheses;"),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "((s)) = :t", "ExpressionAttributeValues": {":t": {"S": "x"}}},
     "Invalid ConditionExpression: The expression has redundant parentheses;"),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "contains(name, name)",
      "ExpressionAttributeValues": {":t": {"S": "x"}}},
     "Invalid ConditionExpression: The first operand must be distinct from the remaining operands for this operator "
     "or function; operator: contains, first operand: [name]"),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "attribute_type()",
      "ExpressionAttributeValues": {":t": {"S": "x"}}},
     'Invalid ConditionExpression: Syntax error; token: ")", near: "()"'),
    ({"UpdateExpression": "SET r = :t", "ConditionExpression": "attribute_type(s, :bad)",
      "ExpressionAttributeValues": {":t": {"S": "x"}, ":bad": {"S": "STRING"}}},
     "Invalid ConditionExpression: Invalid attribute type name found; type: STRING, valid types: "
     "{S,SS,N,NS,B,BS,BOOL,NULL,L,M}"),
    ({"UpdateExpression": "SET a = :v", "ExpressionAttributeValues": {":v": {"S": "x"}},
      "Expected": {"a": {"Exists": False}}},
     "Can not use both expression and non-expression parameters in the same request: Non-expression "
     "parameters: {Expected} Expression parameters: {UpdateExpression}"),
])
def test_expression_errors(ddb, item, kwargs, message):
    """UpdateItem words request checks inside AWS's envelope; errors met while updating stand alone."""
    with pytest.raises(ClientError) as exc:
        ddb.update_item(TableName=item, Key=KEY, **kwargs)
    if message not in RUNTIME_ERRORS:
        message = "1 validation error detected: " + message
    assert error(exc) == ("ValidationException", message)


RUNTIME_ERRORS = {
    "The provided expression refers to an attribute that does not exist in the item",
    "An operand in the update expression has an incorrect data type",
    "The document path provided in the update expression is invalid for update",
}


@pytest.mark.parametrize("expression, expected", [
    ("(n = :five)", True),
    ("(n) = :five", True),
    ("(n = :five) AND (s <> :five)", True),
    ("((n = :five) AND s = :five)", False),
])
def test_single_parentheses_are_fine(ddb, item, expression, expected):
    assert check(ddb, item, expression, {":five": {"N": "5"}}) is expected


def test_projection_errors(ddb, item):
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=item, Key=KEY, ProjectionExpression="a, a.b")
    assert error(exc)[1] == ("Invalid ProjectionExpression: Two document paths overlap with each other; must "
                             "remove or rewrite one of these paths; path one: [a], path two: [a, b]")
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=item, Key=KEY, ProjectionExpression="name")
    assert error(exc)[1] == "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=item, Key=KEY, ExpressionAttributeNames={"#a": "a"})
    assert error(exc)[1] == "ExpressionAttributeNames can only be specified when using expressions"
    for text, word in (("ADD", "ADD"), ("lst[0].COMMENT", "COMMENT"), ("#l[0].COMMENT", "COMMENT")):
        with pytest.raises(ClientError) as exc:
            ddb.get_item(TableName=item, Key=KEY, ProjectionExpression=text,
                         **({"ExpressionAttributeNames": {"#l": "lst"}} if "#l" in text else {}))
        assert error(exc)[1] == f"Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: {word}"
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=item, Key=KEY, ProjectionExpression="lst[].x")
    assert error(exc)[1] == 'Invalid ProjectionExpression: Syntax error; token: "]", near: "[]."' 


def test_number_arithmetic_keeps_38_digits(ddb, item):
    got = update(ddb, item, "SET big = :a + :b", {":a": {"N": "0.1"}, ":b": {"N": "0.2"}})
    assert got["big"] == {"N": "0.3"}
    with pytest.raises(ClientError):
        update(ddb, item, "SET big = :a + :b", {":a": {"N": "9" * 38 + "e88"}, ":b": {"N": "9" * 38 + "e88"}})


def test_get_item_checks_its_expression_parameters_before_the_key(ddb, table):
    """moto's AWS-verified test_empty_expressionattributenames: names without an expression are refused
    even when the key does not match the schema."""
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"id": {"S": "x"}}, ExpressionAttributeNames={"#a": "b"})
    assert error(exc) == ("ValidationException", "ExpressionAttributeNames can only be specified when using expressions")
    with pytest.raises(ClientError) as exc:
        ddb.get_item(TableName=table, Key={"id": {"S": "x"}}, ProjectionExpression="a", ExpressionAttributeNames={})
    assert error(exc) == ("ValidationException", "ExpressionAttributeNames must not be empty")
