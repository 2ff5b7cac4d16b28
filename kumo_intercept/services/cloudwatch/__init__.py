"""CloudWatch metrics and alarms (see backend.py)."""
