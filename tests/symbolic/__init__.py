"""Tests of the symbolic (z3) engine."""
