"""AWS Systems Manager Parameter Store: parameters, versions, labels, tiers, policies and the public
``/aws/service/...`` namespace. Other SSM operations are not emulated. See ``backend.py`` and docs/ssm.md."""
