"""AWS Security Token Service: caller identity, session tokens and assumed roles."""
