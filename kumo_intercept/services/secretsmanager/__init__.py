"""AWS Secrets Manager: secrets, versions and staging labels, deletion windows, Lambda rotation,
resource policies, replication and GetRandomPassword. See ``backend.py`` and docs/secretsmanager.md."""
