"""One package per AWS service: its state model and operation handlers (see core.dispatch.BACKENDS)."""
