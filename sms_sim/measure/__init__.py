"""Measuring: the figures that a run's results add up to.

Imports the model only.
"""
