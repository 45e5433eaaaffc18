"""The model: what a run is asked to do, and the schedule that decides
every simulated fact of it.

Imports nothing else of the package.
"""
