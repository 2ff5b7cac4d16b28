"""AWS Identity and Access Management: users, groups, roles, policies, credentials, providers."""
