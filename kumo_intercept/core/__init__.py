"""The machinery every service uses: interception, dispatch, errors, clock, ids, ledger."""
