"""Map state MaxConcurrency and (distributed) failure tolerance, on the emulator clock.

Facts: the States Language specification and the developer guide's Map state pages (MaxConcurrency is an
upper bound on iterations running at once, 0 no limit; MaxConcurrencyPath reads it from the input;
ToleratedFailureCount / ToleratedFailurePercentage belong to Distributed Map and fail the map run with
States.ExceedToleratedFailureThreshold once exceeded); the cause "The specified tolerated failure
threshold was exceeded" and MapIteration*EventDetails' ``name`` and ``index`` from LocalStack's
AWS-recorded test_state_configuration.snapshot.json and test_base_scenarios.snapshot.json.
"""

from __future__ import annotations

import json
from typing import Any

from sfn_helpers import history, output


def _waiting_map(**fields: Any) -> dict:
    # each item waits as many seconds as its value says
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, **fields, "ItemProcessor": {
        "StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": True}}}}}}


def _started_indexes(sfn: Any, execution: str) -> list[int]:
    return [e["mapIterationStartedEventDetails"]["index"] for e in history(sfn, execution)
            if e["type"] == "MapIterationStarted"]


def test_max_concurrency_holds_back_iterations(aws: Any, sfn: Any, machine: Any) -> None:
    arn = machine(_waiting_map(MaxConcurrency=1))
    execution = sfn.start_execution(stateMachineArn=arn, input="[10, 10, 10]")["executionArn"]
    assert _started_indexes(sfn, execution) == [0]
    aws.clock.advance(10)
    assert _started_indexes(sfn, execution) == [0, 1]
    aws.clock.advance(10)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    aws.clock.advance(10)
    described = sfn.describe_execution(executionArn=execution)
    assert output(described) == [10, 10, 10]


def test_without_max_concurrency_all_iterations_run_at_once(aws: Any, sfn: Any, machine: Any) -> None:
    arn = machine(_waiting_map())
    execution = sfn.start_execution(stateMachineArn=arn, input="[10, 10, 10]")["executionArn"]
    assert _started_indexes(sfn, execution) == [0, 1, 2]
    aws.clock.advance(10)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"


def test_max_concurrency_path_frees_a_slot_as_soon_as_one_ends(aws: Any, sfn: Any, machine: Any) -> None:
    arn = machine(_waiting_map(MaxConcurrencyPath="$.limit", ItemsPath="$.items"))
    execution = sfn.start_execution(stateMachineArn=arn,
                                    input=json.dumps({"limit": 2, "items": [30, 5, 5]}))["executionArn"]
    assert _started_indexes(sfn, execution) == [0, 1]
    aws.clock.advance(5)  # item 1 ends, item 2 takes its slot while item 0 still waits
    assert _started_indexes(sfn, execution) == [0, 1, 2]
    aws.clock.advance(25)
    assert output(sfn.describe_execution(executionArn=execution)) == [30, 5, 5]


def test_invalid_max_concurrency_path_fails_the_execution(sfn: Any, run: Any) -> None:
    described = run(_waiting_map(MaxConcurrencyPath="$.limit", ItemsPath="$.items"), {"limit": "two", "items": [1]})
    assert described["status"] == "FAILED" and described["error"] == "States.Runtime"


def _failing_map(**fields: Any) -> dict:
    # items that are not 0 fail the iteration
    return {"StartAt": "M", "States": {"M": {"Type": "Map", "End": True, "Label": "L", **fields, "ItemProcessor": {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": 0, "Next": "Ok"}],
                  "Default": "Bad"},
            "Ok": {"Type": "Succeed"},
            "Bad": {"Type": "Fail", "Error": "Item.Bad", "Cause": "not zero"}}}}}}


def test_tolerated_failure_count_keeps_the_map_going(sfn: Any, run: Any) -> None:
    described = run(_failing_map(ToleratedFailureCount=1), [0, 1, 0])
    assert output(described) == [0, {"Error": "Item.Bad", "Cause": "not zero"}, 0]
    runs = sfn.list_map_runs(executionArn=described["executionArn"])["mapRuns"]
    counts = sfn.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["itemCounts"]
    assert (counts["succeeded"], counts["failed"]) == (2, 1)


def test_exceeding_the_tolerated_count_fails_with_the_threshold_error(sfn: Any, run: Any) -> None:
    described = run(_failing_map(ToleratedFailureCount=1), [1, 0, 1])
    assert described["status"] == "FAILED"
    assert (described["error"], described["cause"]) == (
        "States.ExceedToleratedFailureThreshold", "The specified tolerated failure threshold was exceeded")
    types = [e["type"] for e in history(sfn, described["executionArn"])]
    assert types.count("MapIterationFailed") == 2 and "MapRunFailed" in types
    run_arn = sfn.list_map_runs(executionArn=described["executionArn"])["mapRuns"][0]["mapRunArn"]
    map_run = sfn.describe_map_run(mapRunArn=run_arn)
    assert map_run["status"] == "FAILED" and map_run["toleratedFailureCount"] == 1
    assert map_run["itemCounts"]["failed"] == 2


def test_tolerated_failure_percentage(run: Any) -> None:
    # 1 failure of 4 items is 25 %: within 30, beyond 20
    assert run(_failing_map(ToleratedFailurePercentage=30), [0, 1, 0, 0])["status"] == "SUCCEEDED"
    assert run(_failing_map(ToleratedFailurePercentage=20), [0, 1, 0, 0])["error"] == \
        "States.ExceedToleratedFailureThreshold"


def test_without_tolerance_a_failed_iteration_fails_the_map_with_its_error(sfn: Any, run: Any) -> None:
    described = run(_failing_map(), [0, 1])
    assert (described["status"], described["error"]) == ("FAILED", "Item.Bad")
    iteration = [e for e in history(sfn, described["executionArn"]) if e["type"] == "MapIterationFailed"]
    assert iteration[0]["mapIterationFailedEventDetails"] == {"name": "M", "index": 1}


def test_update_map_run_raises_the_concurrency_of_a_running_map(aws: Any, sfn: Any, machine: Any) -> None:
    definition = _waiting_map(MaxConcurrency=1, Label="L")
    definition["States"]["M"]["ItemProcessor"]["ProcessorConfig"] = {"Mode": "DISTRIBUTED",
                                                                     "ExecutionType": "STANDARD"}
    execution = sfn.start_execution(stateMachineArn=machine(definition), input="[10, 10, 10]")["executionArn"]
    run_arn = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"]
    sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=3)
    aws.clock.advance(10)  # the first ends; the other two now start together
    assert _started_indexes(sfn, execution) == [0, 1, 2]
    aws.clock.advance(10)
    assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"
