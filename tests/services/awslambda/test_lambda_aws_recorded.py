"""Lambda's runtime errors and refusals pinned to responses recorded from real AWS.

Each test names the LocalStack AWS-validated test (tests/aws/services/lambda_/, its ``.snapshot.json``)
whose recording it learned the fact from; the function code here is our own.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lambda_helpers import create

pytestmark = pytest.mark.kumo(strict=True)


def invoke(lam, name: str, event: dict | None = None) -> tuple[dict, dict]:
    answer = lam.invoke(FunctionName=name, Payload=json.dumps(event or {}).encode())
    return answer, json.loads(answer["Payload"].read())


@pytest.mark.parametrize("where", ["handler", "init"])
def test_sys_exit_is_a_runtime_exit(lam, where):
    """test_lambda_handler_exit and test_lambda_runtime_exit: Runtime.ExitError naming the request,
    no trace; the function works again afterwards."""
    code = ("import sys\nimport os\n\ndef handler(event, context):\n    if event.get('exit'):\n        sys.exit(0)\n"
            "    return 'ok'\n")
    if where == "init":
        code = "import os\nimport sys\nif os.environ.get('EXIT_AT_INIT'):\n    sys.exit(0)\n\ndef handler(e, c):\n" \
               "    return 'ok'\n"
    create(lam, "exits", {"app.py": code}, Environment={"Variables": {"EXIT_AT_INIT": "1" if where == "init" else ""}})
    answer, payload = invoke(lam, "exits", {"exit": True})
    assert answer["FunctionError"] == "Unhandled"
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert payload == {"errorType": "Runtime.ExitError",
                       "errorMessage": f"RequestId: {request_id} Error: Runtime exited without providing a reason"}


def test_exit_status_is_named(lam):
    """test_lambda_runtime_wrapper_not_found words a non-zero status ("exit status 127")."""
    create(lam, "fails", {"app.py": "import sys\n\ndef handler(event, context):\n    sys.exit(3)\n"})
    answer, payload = invoke(lam, "fails")
    request_id = answer["ResponseMetadata"]["RequestId"]
    assert payload["errorMessage"] == f"RequestId: {request_id} Error: Runtime exited with error: exit status 3"


def test_init_error_has_no_request_id_and_image_paths(lam):
    """test_lambda_runtime_error: an exception while the module loads has an empty requestId and a
    trace from importlib's import_module (under /var/lang/lib/pythonX.Y) to the module's frame."""
    create(lam, "broken", {"app.py": 'raise Exception("Runtime startup fails")\n'}, Runtime="python3.13")
    answer, payload = invoke(lam, "broken")
    assert answer["FunctionError"] == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"], payload["requestId"]) == (
        "Exception", "Runtime startup fails", "")
    trace = payload["stackTrace"]
    assert trace[0].startswith('  File "/var/lang/lib/python3.13/importlib/__init__.py", line ')
    assert trace[-1] == '  File "/var/task/app.py", line 1, in <module>\n    raise Exception("Runtime startup fails")\n'
    assert not any("kumo_intercept" in frame for frame in trace)


def test_too_large_response(lam):
    """test_lambda_too_large_response: the limit in the message, not the size; the next call works too."""
    create(lam, "big", {"app.py": "def handler(event, context):\n    return 'a' * event['size']\n"})
    for _ in range(2):
        answer, payload = invoke(lam, "big", {"size": 7 * 1024 * 1024})
        assert answer["FunctionError"] == "Unhandled"
        assert payload == {"errorType": "Function.ResponseSizeTooLarge", "errorMessage": "Response payload size "
                           "exceeded maximum allowed payload size (6291556 bytes)."}


@pytest.mark.parametrize("runtime", ["java8", "go1.x", "provided", "ruby2.7", "nodejs14.x", "python3.7",
                                     "dotnetcore3.1", "nodejs12.x"])
def test_retired_runtimes_are_refused(lam, runtime):
    """test_create_deprecated_function_runtime_with_validation_enabled."""
    with pytest.raises(ClientError) as err:
        create(lam, "old", {"app.py": "def handler(e, c):\n    return 1\n"}, Runtime=runtime)
    message = (f"The runtime parameter of {runtime} is no longer supported for creating or updating AWS Lambda "
               "functions. We recommend you use a supported runtime while creating or updating functions.")
    assert err.value.response["Error"] == {"Code": "InvalidParameterValueException", "Message": message}
    assert (err.value.response["Type"], err.value.response["message"]) == ("User", message)



@pytest.mark.parametrize("runtime", ["non-existent-runtime", "PYTHON3.9"])
def test_unknown_runtime_lists_the_accepted_ones(lam, runtime):
    """test_create_lambda_exceptions (invalid_runtime_exc, uppercase_runtime_exc): InvalidParameterValueException,
    no "validation error detected" prefix, the runtimes still accepted for creation (retired ones left out)."""
    with pytest.raises(ClientError) as err:
        create(lam, "odd", {"app.py": "def handler(e, c):\n    return 1\n"}, Runtime=runtime)
    error = err.value.response["Error"]
    prefix = f"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: ["
    assert error["Code"] == "InvalidParameterValueException" and error["Message"].startswith(prefix)
    assert error["Message"].endswith("] or be a valid ARN")
    listed = error["Message"][len(prefix):-len("] or be a valid ARN")].split(", ")
    assert {"python3.12", "java8.al2", "provided.al2023", "nodejs20.x"} <= set(listed)
    assert not {"java8", "python3.7", "go1.x"} & set(listed)


def test_unknown_runtime_on_update_is_worded_the_same(lam):
    """The same constraint on UpdateFunctionConfiguration (its Runtime member is the same enum)."""
    create(lam, "upd", {"app.py": "def handler(e, c):\n    return 1\n"})
    with pytest.raises(ClientError) as err:
        lam.update_function_configuration(FunctionName="upd", Runtime="cobol85")
    assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert err.value.response["Error"]["Message"].startswith("Value cobol85 at 'runtime' failed to satisfy")
