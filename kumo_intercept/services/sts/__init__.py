"""AWS Security Token Service: caller identity, session and federation tokens, assumed roles."""
