"""Output: what a run or a plan shows, as text (``text/``), JSON, HTML
(``html/``), a CSV log and the views on the standard output
(``terminal/``).  What every medium shows alike is built once, outside
those folders: the group table (``tables``) and a plan's figures
(``plan_figures``).

Imports plan and the layers below it.
"""
