"""The command line: arguments, signals, the exit status, and the drivers
that tie the layers together.

Imports every layer.
"""
