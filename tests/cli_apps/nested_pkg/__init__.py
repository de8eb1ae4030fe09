"""Outer package for the prepare_import tests."""
