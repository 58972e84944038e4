"""The stack program (``__main__.py``) and its typed configuration (``config.py``)."""
