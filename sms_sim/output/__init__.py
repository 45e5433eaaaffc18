"""Output: what a run or a plan shows, as text, JSON, HTML, a CSV log and
the live terminal view.

Imports plan and the layers below it.
"""
