"""Output as lines of text: the style and wrapping, the units, and what a
run, a plan and a reach curve look like, for a width and a style.

Pure: nothing here writes, reads the clock or knows about threads; the
views in ``terminal/`` decide where the lines go.
"""
