"""State types, paths and intrinsic functions, run through real boto3 calls.

Facts from the States Language specification (states-language.net) and the developer guide pages
"Processing input and output", "Intrinsic functions", "Choice", "Wait", "Map", "Parallel".
"""

from __future__ import annotations

import json
from typing import Any

from sfn_helpers import history, output


def pass_state(**fields: Any) -> dict:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True, **fields}}}


def test_input_output_processing(run):
    # developer guide "InputPath, Parameters and ResultSelector" / "ResultPath" / "OutputPath"
    definition = pass_state(InputPath="$.in", Parameters={"value.$": "$.a[1]", "all.$": "$.b[*].c", "fixed": 1},
                            ResultPath="$.result", OutputPath="$.result")
    got = output(run(definition, {"in": {"a": [10, 20], "b": [{"c": 1}, {"c": 2}]}}))
    assert got == {"value": 20, "all": [1, 2], "fixed": 1}


def test_result_path_null_keeps_input_and_context_object(run):
    # "ResultPath: null discards the result"; the context object $$ (developer guide "Context object")
    definition = {"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Result": "x", "ResultPath": None, "Next": "B"},
        "B": {"Type": "Pass", "Parameters": {"name.$": "$$.Execution.Name", "state.$": "$$.State.Name"},
              "ResultPath": "$.ctx", "End": True}}}
    described = run(definition, {"k": 1})
    assert output(described) == {"k": 1, "ctx": {"name": described["name"], "state": "B"}}


def test_intrinsic_functions(run):
    # developer guide "Intrinsic functions": one example per function
    params = {
        "format.$": "States.Format('Hello {} {}', $.name, $.n)",
        "json.$": "States.StringToJson('{\"a\":1}')",
        "text.$": "States.JsonToString($.obj)",
        "array.$": "States.Array(1, 'two', $.n)",
        "parts.$": "States.ArrayPartition(States.Array(1,2,3,4,5), 2)",
        "contains.$": "States.ArrayContains(States.Array(1,2,3), 2)",
        "range.$": "States.ArrayRange(1, 9, 2)",
        "item.$": "States.ArrayGetItem(States.Array(5,6,7), 1)",
        "length.$": "States.ArrayLength(States.Array(5,6,7))",
        "unique.$": "States.ArrayUnique(States.Array(1,1,2))",
        "b64.$": "States.Base64Encode('Data to encode')",
        "plain.$": "States.Base64Decode('RGF0YSB0byBlbmNvZGU=')",
        "hash.$": "States.Hash('input data', 'SHA-1')",
        "merged.$": "States.JsonMerge($.obj, States.StringToJson('{\"b\":2}'), false)",
        "sum.$": "States.MathAdd(111, -1)",
        "split.$": "States.StringSplit('1,2,3', ',')",
        "random.$": "States.MathRandom(1, 10)",
        "uuid.$": "States.UUID()",
    }
    got = output(run(pass_state(Parameters=params), {"name": "World", "n": 3, "obj": {"a": 1}}))
    assert got["format"] == "Hello World 3"
    assert got["json"] == {"a": 1} and got["text"] == '{"a":1}'
    assert got["array"] == [1, "two", 3]
    assert got["parts"] == [[1, 2], [3, 4], [5]]
    assert got["contains"] is True and got["range"] == [1, 3, 5, 7, 9]
    assert got["item"] == 6 and got["length"] == 3 and got["unique"] == [1, 2]
    assert got["b64"] == "RGF0YSB0byBlbmNvZGU=" and got["plain"] == "Data to encode"
    assert got["hash"] == "aaff4a450a104cd177d28d18d74485e8cae074b7"
    assert got["merged"] == {"a": 1, "b": 2} and got["sum"] == 110 and got["split"] == ["1", "2", "3"]
    assert 1 <= got["random"] <= 10 and len(got["uuid"]) == 36


def test_intrinsic_failure_fails_the_execution(run):
    # "States.IntrinsicFailure" (developer guide "Error names")
    described = run(pass_state(Parameters={"x.$": "States.ArrayGetItem(States.Array(1), 5)"}))
    assert described["status"] == "FAILED" and described["error"] == "States.IntrinsicFailure"


def test_choice_operators(run):
    # Choice rules: comparison operators, And/Or/Not, IsPresent, *Path variants (developer guide "Choice")
    def route(rule: dict, data: dict) -> str:
        definition = {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{**rule, "Next": "Yes"}], "Default": "No"},
            "Yes": {"Type": "Pass", "Result": "yes", "End": True},
            "No": {"Type": "Pass", "Result": "no", "End": True}}}
        return output(run(definition, data))

    assert route({"Variable": "$.n", "NumericGreaterThanEquals": 3}, {"n": 3}) == "yes"
    assert route({"Variable": "$.n", "NumericLessThanPath": "$.m"}, {"n": 3, "m": 2}) == "no"
    assert route({"Variable": "$.s", "StringMatches": "log-*.txt"}, {"s": "log-1.txt"}) == "yes"
    assert route({"Variable": "$.t", "TimestampGreaterThan": "2020-01-01T00:00:00Z"},
                 {"t": "2021-06-01T00:00:00Z"}) == "yes"
    assert route({"And": [{"Variable": "$.b", "BooleanEquals": True},
                          {"Not": {"Variable": "$.s", "StringEquals": "x"}}]}, {"b": True, "s": "y"}) == "yes"
    assert route({"Or": [{"Variable": "$.missing", "IsPresent": True},
                         {"Variable": "$.s", "IsString": False}]}, {"s": "y"}) == "no"
    assert route({"Variable": "$.z", "IsNull": True}, {"z": None}) == "yes"


def test_no_choice_matched(run):
    definition = {"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "E"}]},
        "E": {"Type": "Succeed"}}}
    assert run(definition, {"n": 2})["error"] == "States.NoChoiceMatched"


def test_fail_state_with_paths(run):
    # Fail's ErrorPath/CausePath (developer guide "Fail workflow state")
    definition = {"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
                                                  "CausePath": "States.Format('bad {}', $.c)"}}}
    described = run(definition, {"e": "MyError", "c": 7})
    assert (described["status"], described["error"], described["cause"]) == ("FAILED", "MyError", "bad 7")


def test_wait_finishes_when_the_virtual_clock_passes_it(aws, sfn, machine):
    # a Wait of a day is a day of the emulator clock: nothing sleeps, advance() finishes it
    arn = machine({"StartAt": "W", "States": {
        "W": {"Type": "Wait", "SecondsPath": "$.s", "Next": "T"},
        "T": {"Type": "Wait", "TimestampPath": "$.at", "End": True}}})
    start = aws.clock.time()
    at = json.dumps({"s": 86400, "at": "2030-01-01T00:00:00Z"})
    execution = sfn.start_execution(stateMachineArn=arn, input=at)["executionArn"]
    aws.clock.advance(86399)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(1)
    types = [e["type"] for e in history(sfn, execution)]
    assert types[-1] == "WaitStateEntered" and types.count("WaitStateExited") == 1
    aws.clock.advance(1893456000 - start)  # 2030-01-01
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"


def test_parallel_and_map(run):
    # Parallel's result is the array of its branches' outputs; Map's the array of its iterations'
    definition = {"StartAt": "P", "States": {
        "P": {"Type": "Parallel", "ResultPath": "$.p", "Next": "M", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": 1, "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": True}}}]},
        "M": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.m", "End": True,
              "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
              "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "X", "States": {
                  "X": {"Type": "Pass", "Parameters": {"double.$": "States.MathAdd($.v, $.v)", "i.$": "$.i"},
                        "End": True}}}}}}
    got = output(run(definition, {"items": [1, 5]}))
    assert got["p"] == [1, 2]
    assert got["m"] == [{"double": 2, "i": 0}, {"double": 10, "i": 1}]


def test_map_iterations_wait_independently(aws, sfn, machine):
    # each iteration waits on its own: the later deadline decides when the Map ends
    arn = machine({"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}}}})
    execution = sfn.start_execution(stateMachineArn=arn, input="[10, 100]")["executionArn"]
    aws.clock.advance(10)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(90)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"


def test_map_item_reader_from_s3(aws, run):
    # Distributed Map ItemReader (developer guide "ItemReader"): a JSON array and a CSV file in S3
    import boto3
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="items")
    s3.put_object(Bucket="items", Key="a.json", Body=b'[{"n": 1}, {"n": 2}]')
    s3.put_object(Bucket="items", Key="b.csv", Body=b"name,size\nx,1\ny,2\n")

    def mapped(key: str, config: dict) -> Any:
        return output(run({"StartAt": "M", "States": {"M": {
            "Type": "Map", "End": True,
            "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "ReaderConfig": config,
                           "Parameters": {"Bucket": "items", "Key": key}},
            "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                              "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}}}))

    assert mapped("a.json", {"InputType": "JSON"}) == [{"n": 1}, {"n": 2}]
    assert mapped("b.csv", {"InputType": "CSV", "CSVHeaderLocation": "FIRST_ROW"}) == [
        {"name": "x", "size": "1"}, {"name": "y", "size": "2"}]


def test_distributed_map_has_a_map_run(aws, sfn, machine):
    # a distributed Map is a map run (DescribeMapRun/ListMapRuns API reference; ARN
    # arn:aws:states:<region>:<account>:mapRun:<machine>/<label>:<id>)
    arn = machine({"StartAt": "M", "States": {"M": {
        "Type": "Map", "End": True, "Label": "Batch", "MaxConcurrency": 5,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                          "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}}}}, name="dm")
    execution = sfn.start_execution(stateMachineArn=arn, input="[1, 2, 3]")["executionArn"]
    runs = sfn.list_map_runs(executionArn=execution)["mapRuns"]
    assert len(runs) == 1 and ":mapRun:dm/Batch:" in runs[0]["mapRunArn"]
    running = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
    assert (running["status"], running["itemCounts"]["running"], running["maxConcurrency"]) == ("RUNNING", 3, 5)
    sfn.update_map_run(mapRunArn=runs[0]["mapRunArn"], maxConcurrency=2)
    aws.clock.advance(10)
    done = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])
    assert (done["status"], done["itemCounts"]["succeeded"], done["maxConcurrency"]) == ("SUCCEEDED", 3, 2)
    types = [e["type"] for e in history(sfn, execution)]
    assert "MapRunStarted" in types and "MapRunSucceeded" in types


def test_history_event_ids_chain(sfn, run):
    # GetExecutionHistory: ids from 1, previousEventId links, reverseOrder, pagination
    described = run(pass_state(Result={"a": 1}))
    events = history(sfn, described["executionArn"])
    assert [e["type"] for e in events] == ["ExecutionStarted", "PassStateEntered", "PassStateExited",
                                           "ExecutionSucceeded"]
    # the first state's entered event has previousEventId 0 (LocalStack's error_handling/test_aws_sdk.snapshot.json)
    assert [(e["id"], e["previousEventId"]) for e in events] == [(1, 0), (2, 0), (3, 2), (4, 3)]
    page = sfn.get_execution_history(executionArn=described["executionArn"], maxResults=3, reverseOrder=True,
                                     includeExecutionData=False)
    assert [e["id"] for e in page["events"]] == [4, 3, 2] and "nextToken" in page
    assert "output" not in page["events"][0]["executionSucceededEventDetails"]


def test_test_state(sfn, function):
    # TestState API reference: one state alone; RETRIABLE/CAUGHT_ERROR instead of retrying or moving on;
    # a mock result stands in for the call; DEBUG inspection data after each processing step
    function("plus", "return {'n': event['n'] + 1}")
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Next": "After",
             "Parameters": {"FunctionName": "plus", "Payload": {"n.$": "$.n"}},
             "ResultSelector": {"n.$": "$.Payload.n"}, "ResultPath": "$.out"}
    answer = sfn.test_state(definition=json.dumps(state), input='{"n": 1}', inspectionLevel="DEBUG",
                            roleArn="arn:aws:iam::123456789012:role/r")
    assert (answer["status"], answer["nextState"], json.loads(answer["output"])) == ("SUCCEEDED", "After",
                                                                                     {"n": 1, "out": {"n": 2}})
    assert json.loads(answer["inspectionData"]["afterParameters"]) == {"FunctionName": "plus", "Payload": {"n": 1}}
    assert json.loads(answer["inspectionData"]["afterResultSelector"]) == {"n": 2}
    failing = {**state, "Retry": [{"ErrorEquals": ["Oops"]}],
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler", "ResultPath": "$.err"}]}
    mocked = {"errorOutput": {"error": "Oops", "cause": "mocked"}}
    assert sfn.test_state(definition=json.dumps(failing), input='{"n": 1}', mock=mocked)["status"] == "RETRIABLE"
    failing["Retry"] = []
    caught = sfn.test_state(definition=json.dumps(failing), input='{"n": 1}', mock=mocked)
    assert (caught["status"], caught["nextState"], caught["error"]) == ("CAUGHT_ERROR", "Handler", "Oops")
    result = sfn.test_state(definition=json.dumps(state), input='{"n": 5}', mock={"result": '{"Payload": {"n": 9}}'})
    assert json.loads(result["output"])["out"] == {"n": 9}
