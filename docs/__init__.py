"""The documentation's sources: a package only so that its conftest.py and
the tests' have distinct module names for pytest."""
