"""QueryLanguage JSONata (the optional ``jsonata`` extra).

Facts: developer guide "Transforming data with JSONata in Step Functions" (Arguments, Output,
``$states.input/result/errorOutput/context``, Choice ``Condition``, Map ``Items``,
States.QueryEvaluationError) and "Passing data between states with variables" (Assign: values
visible from the next state on; Output and Assign of a state see the variables as they were before it).
"""

from __future__ import annotations

from sfn_helpers import output


def jsonata(states: dict, start: str) -> dict:
    return {"QueryLanguage": "JSONata", "StartAt": start, "States": states}


def test_output_assign_and_choice(run):
    definition = jsonata({
        "Init": {"Type": "Pass", "Assign": {"total": "{% $states.input.a + $states.input.b %}", "n": 1},
                 "Output": {"seen": "{% $states.input.a %}"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Default": "Small", "Choices": [
            {"Condition": "{% $total > 10 %}", "Next": "Big", "Output": {"total": "{% $total %}"}}]},
        "Big": {"Type": "Pass", "Output": "{% $states.input.total & ' is big, n=' & $string($n) %}", "End": True},
        "Small": {"Type": "Succeed"}}, "Init")
    assert output(run(definition, {"a": 7, "b": 5})) == "12 is big, n=1"


def test_task_arguments_result_and_catch(run, function):
    function("add", "return event['x'] + 1")
    function("fail", "raise KeyError('k')")
    definition = jsonata({
        "Add": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Arguments": {"FunctionName": "add", "Payload": {"x": "{% $states.input.x %}"}},
                "Output": "{% $states.result.Payload %}", "Next": "Fail"},
        "Fail": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                 "Arguments": {"FunctionName": "fail"}, "Next": "Done",
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done",
                            "Output": {"previous": "{% $states.input %}", "error": "{% $states.errorOutput.Error %}"}}]},
        "Done": {"Type": "Succeed"}}, "Add")
    assert output(run(definition, {"x": 41})) == {"previous": 42, "error": "KeyError"}


def test_map_items_and_wait_seconds(aws, sfn, machine):
    arn = machine(jsonata({
        "W": {"Type": "Wait", "Seconds": "{% $states.input.delay %}", "Next": "M"},
        "M": {"Type": "Map", "Items": "{% $states.input.values %}", "End": True,
              "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}", "i": "{% $states.context.Map.Item.Index %}"},
              "ItemProcessor": {"StartAt": "Double", "States": {
                  "Double": {"Type": "Pass", "Output": "{% $states.input.v * 2 + $states.input.i %}", "End": True}}}}},
        "W"))
    execution = sfn.start_execution(stateMachineArn=arn, input='{"delay": 30, "values": [1, 2, 3]}')["executionArn"]
    aws.clock.advance(29)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(1)
    assert output(sfn.describe_execution(executionArn=execution)) == [2, 5, 8]


def test_evaluation_error_and_fail_expressions(run):
    broken = jsonata({"P": {"Type": "Pass", "Output": "{% $undefinedFunction(1) %}", "End": True}}, "P")
    assert run(broken)["error"] == "States.QueryEvaluationError"
    fail = jsonata({"F": {"Type": "Fail", "Error": "{% 'E' & $states.input.code %}", "Cause": "{% 'because' %}"}}, "F")
    described = run(fail, {"code": 7})
    assert (described["error"], described["cause"]) == ("E7", "because")
