"""Planning: many runs of one scenario (replications, sweeps, a target
search).

Imports run and the layers below it.
"""
