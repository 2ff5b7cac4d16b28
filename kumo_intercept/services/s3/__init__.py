"""S3 backend (see backend.py)."""
